#!/usr/bin/env bash
# Installs what a clean Debian/Ubuntu machine (git, make and Python 3.11+) lacks to run
# `make up` and `make test`: uv, a Java 17+ runtime, Maven, PostgreSQL server binaries with
# contrib (btree_gist), nginx and curl. Idempotent: when everything is there it only looks
# (well under a second) and says so in one line. `make install` (so `make up` and `make test`)
# and `.ci/run` call it.
#
# System packages come from apt-get: as root, else through sudo, else it stops and lists the
# packages for someone who can install them. uv comes from PyPI (`pip install --user uv`, into
# ~/.local/bin); the Kafka jars come later, from Maven Central (deploy/local/kafka.sh fetch).
#
# Python tools (pytest, aiosmtpd, and with calendar sync the Radicale CalDAV server its tests
# sync against) are PyPI packages: they belong in the root pyproject.toml's dev group, where
# `uv sync` installs them. Add a check and a package below only for what must come from the
# system.
set -euo pipefail

log() { printf 'bootstrap: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# uv installed by pip --user lands in ~/.local/bin; nginx and initdb live in sbin/lib dirs that
# an unprivileged user's PATH may lack.
export PATH="$HOME/.local/bin:$PATH:/usr/sbin:/sbin"

missing=()      # what is missing, for people
apt_packages=() # what installs it

need() {  # $1 = what, rest = apt packages
  missing+=("$1")
  shift
  apt_packages+=("$@")
}

JAVA_MAJOR=0
java_ok() {  # sets JAVA_MAJOR from `java -version` ("17.0.13", or "1.8.0" for 8)
  command -v java >/dev/null || return 1
  JAVA_MAJOR="$(java -version 2>&1 | sed -n '1s/^[^"]*"\(1\.\)\{0,1\}\([0-9]*\).*/\2/p')"
  ((${JAVA_MAJOR:-0} >= 17))
}

postgres_ok() {
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" ]] && return 0
  fi
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null &&
    compgen -G '/usr/share/postgresql/*/extension/btree_gist.control' >/dev/null &&
    command -v psql >/dev/null
}

check_system() {
  command -v make >/dev/null || need make make
  command -v curl >/dev/null || need curl curl ca-certificates
  command -v nginx >/dev/null || need nginx nginx
  command -v mvn >/dev/null || need Maven maven
  # The package's name differs by release: resolved after apt-get update.
  java_ok || need "Java 17+" JAVA_RUNTIME
  # Used only by make up, and only when no DATABASE_URL names a server already.
  [[ -n "${DATABASE_URL:-}" ]] || postgres_ok || need "PostgreSQL server + contrib" postgresql postgresql-contrib
  if ! command -v uv >/dev/null && ! python3 -m pip --version >/dev/null 2>&1; then
    need "pip (to install uv)" python3-pip
  fi
}

PYTHON_VERSION=""
check_python() {
  command -v python3 >/dev/null || die "python3 not found: install Python 3.11+ (apt-get install python3)"
  PYTHON_VERSION="$(python3 -c 'import platform; print(platform.python_version())')"
  [[ "$(printf '%s\n' 3.11 "$PYTHON_VERSION" | sort -V | head -n 1)" == 3.11 ]] ||
    die "Python 3.11+ is needed; python3 is $PYTHON_VERSION"
}

java_package() {
  local candidate
  for candidate in openjdk-17-jre-headless openjdk-21-jre-headless default-jre-headless; do
    if apt-cache show "$candidate" >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  die "no Java runtime package found in apt's lists (tried openjdk-17/21-jre-headless, default-jre-headless)"
}

apt_install() {
  command -v apt-get >/dev/null ||
    die "missing: ${missing[*]}; this is not a Debian-like system, so install them yourself (Java 17+, Maven, PostgreSQL server with contrib, nginx, curl) and run this again"
  local -a as_root=()
  if ((EUID != 0)); then
    command -v sudo >/dev/null ||
      die "missing: ${missing[*]}; installing needs root and there is no sudo. As root run:
  apt-get update && apt-get install -y ${apt_packages[*]/JAVA_RUNTIME/openjdk-17-jre-headless}
then run this again."
    as_root=(sudo)
  fi
  log "installing ${missing[*]} with apt-get (one time) ..."
  local started=$SECONDS
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  local -a packages=()
  local package
  for package in "${apt_packages[@]}"; do
    [[ "$package" == JAVA_RUNTIME ]] && package="$(java_package)"
    packages+=("$package")
  done
  log "apt-get install ${packages[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${packages[@]}" >&2
  log "installed in $((SECONDS - started))s (Debian may also have started its own nginx/PostgreSQL services; the platform runs its own instances on other ports)"
}

install_uv() {
  log "installing uv from PyPI into ~/.local/bin (pip --user, one time) ..."
  local -a pip=(python3 -m pip install --quiet --disable-pip-version-check)
  ((EUID != 0)) || pip+=(--root-user-action=ignore)
  local output
  if python3 -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
    pip+=(uv) # python3 is a virtualenv's: no --user there
  else
    pip+=(--user uv)
  fi
  if ! output="$("${pip[@]}" 2>&1)"; then
    # Debian's own Python refuses pip (PEP 668); uv is a self-contained binary, so a user
    # install cannot break any system package.
    grep -q externally-managed <<<"$output" || die "pip install uv failed: $output"
    "${pip[@]}" --break-system-packages >&2 || die "pip install uv failed"
  fi
  command -v uv >/dev/null || die "uv was installed but is not on PATH: add ~/.local/bin to PATH"
  log "$(uv --version) installed at $(command -v uv)"
}

main() {
  local started=$SECONDS
  check_python
  check_system
  if ((${#apt_packages[@]})); then
    apt_install
    missing=() apt_packages=()
    check_system
    ((${#missing[@]} == 0)) || die "still missing after apt-get install: ${missing[*]} (is PATH right? java: update-alternatives --config java)"
  fi
  command -v uv >/dev/null || install_uv
  log "ready: Python $PYTHON_VERSION, $(uv --version | cut -d' ' -f1-2), java $JAVA_MAJOR, maven, nginx, curl$([[ -n "${DATABASE_URL:-}" ]] || echo ', postgresql') ($((SECONDS - started))s)"
}

main "$@"
