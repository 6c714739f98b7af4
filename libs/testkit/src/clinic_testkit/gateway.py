"""The real gateway for tests: the token verifier and nginx as processes, on free ports.

`Gateway(upstreams={...}, settings={...}).start()` renders deploy/gateway's templates into a
state dir of its own (an `upstreams.conf` pointing at the addresses given, and the verifier's
free port), checks the result with `nginx -t`, starts the verifier and nginx, and waits until
both answer; if either cannot start, :class:`InfrastructureError` carries its log.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from clinic_platform.gateway import NginxSettings, render_gateway
from clinic_testkit.infrastructure import InfrastructureError, free_ports, make_state_dir

# The services the gateway routes to, from deploy/services.toml.
# >>> generated: services (clinic_deploy render, from deploy/services.toml; do not edit)
SERVICES = ("booking", "schedules", "notifications", "calendar-sync")
# <<< generated: services
_NGINX_FALLBACK = "/usr/sbin/nginx"


def find_gateway_dir() -> Path:
    """``deploy/gateway`` of the repository (``CLINIC_GATEWAY_DIR`` overrides)."""
    override = os.environ.get("CLINIC_GATEWAY_DIR")
    if override:
        return Path(override)
    for start in (Path(__file__).resolve(), Path.cwd().resolve()):
        for parent in (start, *start.parents):
            candidate = parent / "deploy" / "gateway"
            if (candidate / "nginx.conf.template").is_file():
                return candidate
    raise InfrastructureError(
        "deploy/gateway/nginx.conf.template not found: set CLINIC_GATEWAY_DIR"
    )


def nginx_binary() -> str:
    """The nginx executable, or an error saying how to install it (tests never skip)."""
    found = shutil.which("nginx") or (
        _NGINX_FALLBACK if os.access(_NGINX_FALLBACK, os.X_OK) else None
    )
    if found is None:
        raise InfrastructureError("nginx is not installed (apt-get install nginx)")
    return found


def upstreams_conf(addresses: Mapping[str, str], verifier: str) -> str:
    """An upstreams.conf: each service at its `host:port`, and the verifier."""
    blocks = [
        f"upstream {name} {{\n    server {address};\n    keepalive 8;\n}}\n"
        for name, address in {**addresses, "gateway_verifier": verifier}.items()
    ]
    return "\n".join(blocks)


@dataclass
class Gateway:
    """nginx and its verifier in front of `upstreams` (service → `host:port`; services not named
    answer 503); `settings` are GATEWAY_* settings by field name, nginx's and the verifier's."""

    upstreams: Mapping[str, str]
    settings: Mapping[str, str] = field(default_factory=dict)
    state_dir: Path = field(default_factory=lambda: make_state_dir("clinic-gateway-"))
    port: int = 0
    verifier_port: int = 0
    _nginx: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _verifier: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def verifier_url(self) -> str:
        return f"http://127.0.0.1:{self.verifier_port}"

    @property
    def nginx_log(self) -> Path:
        return self.state_dir / "nginx.log"

    @property
    def verifier_log(self) -> Path:
        return self.state_dir / "verifier.log"

    def start(self, ready_timeout_s: float = 30) -> Gateway:
        """Render and check the config, start the verifier and nginx, wait for both."""
        self.port, self.verifier_port = free_ports(2)
        config = self._render()
        nginx = nginx_binary()
        where = ["-e", "stderr", "-p", str(config.parent), "-c", str(config)]
        checked = subprocess.run(  # noqa: S603 - nginx with our own rendered config
            [nginx, "-t", "-q", *where], capture_output=True, text=True, check=False
        )
        if checked.returncode != 0:
            raise InfrastructureError(f"nginx refuses {config}:\n{checked.stderr}")
        # Both at once: nginx needs the verifier only for requests, not to start.
        self._verifier = self._spawn(
            [sys.executable, "-m", "clinic_platform.gateway", "serve"], self.verifier_log
        )
        self._nginx = self._spawn([nginx, *where, "-g", "daemon off;"], self.nginx_log)
        self._wait("nginx", self._nginx, f"{self.base_url}/healthz", ready_timeout_s)
        self._wait("the verifier", self._verifier, f"{self.verifier_url}/healthz", ready_timeout_s)
        return self

    def stop(self) -> None:
        """nginx gracefully (SIGQUIT), then the verifier (SIGTERM); the state dir goes too."""
        for process, sig in ((self._nginx, signal.SIGQUIT), (self._verifier, signal.SIGTERM)):
            if process is not None and process.poll() is None:
                process.send_signal(sig)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def stop_verifier(self) -> None:
        """Stop only the verifier (to see what the gateway does without it)."""
        assert self._verifier is not None
        self._verifier.terminate()
        self._verifier.wait(timeout=10)

    def access_log(self) -> list[str]:
        """nginx's access lines so far (edge and route servers)."""
        return [line for line in self.nginx_log.read_text().splitlines() if "request_id=" in line]

    def _render(self) -> Path:
        # Services not named point at a port nothing listens on: they answer 503.
        nowhere = f"127.0.0.1:{free_ports(1)[0]}"
        addresses = {**dict.fromkeys(SERVICES, nowhere), **self.upstreams}
        upstreams = self.state_dir / "upstreams.source.conf"
        upstreams.write_text(upstreams_conf(addresses, f"127.0.0.1:{self.verifier_port}"))
        values = {"inner_socket": str(self.state_dir / "route.sock"), **self.settings}
        nginx_settings = NginxSettings(listen_port=self.port, **values)  # type: ignore[arg-type]
        return render_gateway(
            find_gateway_dir(), self.state_dir / "nginx", upstreams, nginx_settings
        )

    def _spawn(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        env = {**os.environ, **{f"GATEWAY_{k.upper()}": v for k, v in self.settings.items()}}
        env["GATEWAY_HTTP_PORT"] = str(self.verifier_port)
        with log.open("ab") as out:
            return subprocess.Popen(argv, env=env, stdout=out, stderr=out)  # noqa: S603

    def _wait(
        self, name: str, process: subprocess.Popen[bytes], url: str, timeout_s: float
    ) -> None:
        log = self.verifier_log if process is self._verifier else self.nginx_log
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                message = f"{name} exited ({process.returncode}):\n{_tail(log)}"
                self.stop()
                raise InfrastructureError(message)
            if _answers_200(url):
                return
            time.sleep(0.05)
        message = f"{name} not ready at {url} in {timeout_s}s:\n{_tail(log)}"
        self.stop()
        raise InfrastructureError(message)


def _answers_200(url: str) -> bool:
    host_port, _, path = url.removeprefix("http://").partition("/")
    connection = http.client.HTTPConnection(host_port, timeout=1)
    try:
        connection.request("GET", f"/{path}")
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def _tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no log: {exc})"
