"""Running a platform service as its own process (`python -m <package> migrate|serve`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from clinic_testkit.infrastructure import free_ports


def package_of(service: str) -> str:
    """The Python package (and env prefix, upper-cased) of a service: `calendar-sync` → …_sync."""
    return service.replace("-", "_")


@dataclass
class ServiceProcess:
    """One service process on a free port, with its own database and the shared broker."""

    service: str
    database_url: str
    kafka_bootstrap: str
    settings: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=lambda: free_ports(1)[0])
    process: subprocess.Popen[bytes] | None = None
    # A file, not a pipe: a pipe nobody reads fills up and stalls the service mid-request.
    log_path: Path = field(default_factory=lambda: _new_log_file())

    @property
    def base_url(self) -> str:
        """Where it serves HTTP."""
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The process environment: its prefixed settings over this process's environment."""
        prefix = package_of(self.service).upper() + "_"
        values = {
            "database_url": self.database_url,
            "http_port": str(self.port),
            "kafka_bootstrap_servers": self.kafka_bootstrap,
            **self.settings,
        }
        return {**os.environ, **{prefix + k.upper(): v for k, v in values.items()}}

    def migrate(self) -> None:
        """Apply its migrations; fail with its stderr when they do not apply."""
        done = subprocess.run(  # noqa: S603 - our own interpreter and package
            [sys.executable, "-m", package_of(self.service), "migrate"],
            env=self.env(),
            capture_output=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{self.service} migrate failed:\n{done.stderr.decode()[-3000:]}")

    def start(self, ready_timeout_s: float = 60) -> ServiceProcess:
        """Serve, and wait until /readyz answers 200 (or fail with its log)."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and package
                [sys.executable, "-m", package_of(self.service), "serve"],
                env=self.env(),
                stderr=log,
            )
        deadline = time.monotonic() + ready_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.service} exited:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.service} not ready in {ready_timeout_s}s")

    def stop(self, timeout_s: float = 30) -> int:
        """SIGTERM, wait for a graceful exit, and return the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def log(self) -> str:
        """Its stderr so far, across restarts (readable while it runs)."""
        return self.log_path.read_bytes().decode(errors="replace")


def _new_log_file() -> Path:
    handle, name = tempfile.mkstemp(prefix="clinic-service-", suffix=".log")
    os.close(handle)
    return Path(name)
