"""Each service runs as its own process: migrates its own database, gets ready, stops gracefully."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from clinic_platform.store.migrations import downgrade, upgrade
from clinic_testkit import free_ports

pytestmark = pytest.mark.integration
SERVICES = ["booking", "schedules", "notifications", "calendar-sync"]


def package(service: str) -> str:
    return service.replace("-", "_")


def service_env(service: str, database_url: str, kafka: str, port: int) -> dict[str, str]:
    prefix = package(service).upper() + "_"
    return {
        **os.environ,
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}KAFKA_BOOTSTRAP_SERVERS": kafka,
        f"{prefix}HTTP_PORT": str(port),
    }


@pytest.fixture
def running(
    fresh_database: Callable[[str], Any], kafka_bootstrap: str
) -> Iterator[Callable[[str], tuple[str, subprocess.Popen[bytes]]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(service: str) -> tuple[str, subprocess.Popen[bytes]]:
        database = fresh_database(package(service))
        [port] = free_ports(1)
        env = service_env(service, database.url, kafka_bootstrap, port)
        cmd = [sys.executable, "-m", package(service)]
        migrated = subprocess.run([*cmd, "migrate"], env=env, capture_output=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr.decode()[-2000:]
        process = subprocess.Popen([*cmd, "serve"], env=env, stderr=subprocess.PIPE)
        started.append(process)
        return f"http://127.0.0.1:{port}", process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def wait_ready(base: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-3000:] if process.stderr else "")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base} not ready in {timeout_s}s")


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_migrates_gets_ready_on_real_parts_and_stops_gracefully(
    service: str, running: Callable[[str], tuple[str, subprocess.Popen[bytes]]]
) -> None:
    base, process = running(service)
    wait_ready(base, process)

    ready = httpx.get(f"{base}/readyz").json()
    assert ready["checks"] == {"database": "ok", "kafka": "ok"}
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    openapi = httpx.get(f"{base}/api/v1/{service}/openapi.json")
    assert openapi.status_code == 200
    missing = httpx.get(f"{base}/api/v1/{service}/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")

    process.send_signal(signal.SIGTERM)
    # uvicorn drains, runs the lifespan's shutdown, then re-raises SIGTERM as its exit status.
    assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    log = process.stderr.read().decode() if process.stderr else ""
    assert "Application shutdown complete" in log


@pytest.mark.parametrize("service", SERVICES)
def test_the_migration_history_goes_down_to_base_and_up_again(
    service: str, fresh_database: Callable[[str], Any]
) -> None:
    module = __import__(f"{package(service)}.app", fromlist=["MIGRATIONS"])
    database = fresh_database(package(service))
    upgrade(module.MIGRATIONS, database.url)
    downgrade(module.MIGRATIONS, database.url, "base")
    upgrade(module.MIGRATIONS, database.url)
