#!/usr/bin/env bash
# The tools `make deploy-check` uses, pinned, installed once into $CLINIC_TOOLS_DIR (default
# .state/tools of the repository) from registries this project reaches; a second run only
# checks the stamps (well under a second). CI and `make deploy-check` call it; so can you.
#
#   kustomize        Go module proxy   sigs.k8s.io/kustomize/kustomize/v5       (go install)
#   kubeconform      Go module proxy   github.com/yannh/kubeconform             (go install)
#   Kubernetes JSON  PyPI              kubernetes-validate (ships them per Kubernetes version;
#     schemas                          kept: one version, strict, refs made file-relative)
#   Compose schema   Go module proxy   github.com/compose-spec/compose-go/v2    (schema/compose-spec.json,
#                                      the copy docker compose itself validates with)
#   check-jsonschema PyPI              a JSON-schema validator CLI, in its own venv
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="${CLINIC_TOOLS_DIR:-$ROOT/.state/tools}"

KUSTOMIZE_VERSION=v5.8.2
KUBECONFORM_VERSION=v0.7.0
COMPOSE_GO_VERSION=v2.16.2
KUBERNETES_VALIDATE_VERSION=1.37.0
KUBERNETES_VERSION=1.33.0  # the oldest Kubernetes the manifests must be valid for
CHECK_JSONSCHEMA_VERSION=0.39.0

export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOBIN="$TOOLS/bin"
export PATH="$PATH:$HOME/.local/bin:/usr/local/go/bin"  # uv (pip --user), Go
mkdir -p "$TOOLS/bin" "$TOOLS/schemas" "$TOOLS/stamps"

log() { printf 'tools/deploy/install.sh: %s\n' "$*" >&2; }
fresh() { [[ "$(cat "$TOOLS/stamps/$1" 2>/dev/null)" == "$2" ]]; }
stamp() { echo "$2" >"$TOOLS/stamps/$1"; }
need() { command -v "$1" >/dev/null || { log "$1 is needed: $2"; exit 1; }; }

go_tool() {  # $1 = name, $2 = module path @ version
  fresh "$1" "$2" && [[ -x "$TOOLS/bin/$1" ]] && return 0
  need go "Go comes with the machine (or apt-get install golang)"
  log "installing $2"
  go install "$2"
  stamp "$1" "$2"
}

go_tool kustomize "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
go_tool kubeconform "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"

if ! fresh compose-schema "$COMPOSE_GO_VERSION" || [[ ! -f "$TOOLS/schemas/compose-spec.json" ]]; then
  log "fetching the Compose Specification schema (compose-go $COMPOSE_GO_VERSION)"
  dir="$(go mod download -json "github.com/compose-spec/compose-go/v2@$COMPOSE_GO_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  cp "$dir/schema/compose-spec.json" "$TOOLS/schemas/compose-spec.json"
  chmod 644 "$TOOLS/schemas/compose-spec.json"
  stamp compose-schema "$COMPOSE_GO_VERSION"
fi

python_tools="check-jsonschema==$CHECK_JSONSCHEMA_VERSION kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
if ! fresh venv "$python_tools" || [[ ! -x "$TOOLS/venv/bin/check-jsonschema" ]]; then
  need uv "see README.md (pip install uv)"
  log "installing $python_tools"
  uv venv --quiet --allow-existing --python python3 "$TOOLS/venv"
  # shellcheck disable=SC2086
  uv pip install --quiet --python "$TOOLS/venv/bin/python" $python_tools
  stamp venv "$python_tools"
fi

schemas="$KUBERNETES_VALIDATE_VERSION v$KUBERNETES_VERSION"
if ! fresh k8s-schemas "$schemas" || [[ ! -f "$TOOLS/schemas/kubernetes/_definitions.json" ]]; then
  log "unpacking the Kubernetes $KUBERNETES_VERSION JSON schemas"
  # kubernetes-validate's schemas name one shared definitions file by an absolute URL; made
  # relative (and their $id dropped), kubeconform resolves them on disk, never on the network.
  "$TOOLS/venv/bin/python" - "$TOOLS/schemas/kubernetes" "v$KUBERNETES_VERSION-local-strict" <<'PY'
import json, shutil, sys
from importlib import resources
from pathlib import Path

out, version = Path(sys.argv[1]), sys.argv[2]
source = Path(str(resources.files("kubernetes_validate") / "kubernetes-json-schema" / version))
if not source.is_dir():
    sys.exit(f"kubernetes-validate has no {version} schemas")
shutil.rmtree(out, ignore_errors=True)
out.mkdir(parents=True)
for schema in source.glob("*.json"):
    text = json.loads(schema.read_text())
    if isinstance(text, dict):
        text.pop("$id", None)
    flat = json.dumps(text).replace('"/api/_definitions.json#', '"_definitions.json#')
    (out / schema.name).write_text(flat)
PY
  stamp k8s-schemas "$schemas"
fi
