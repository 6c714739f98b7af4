"""Each service runs as its own process: migrates its own database, gets ready, stops gracefully."""

from __future__ import annotations

import signal
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from clinic_platform.store.migrations import downgrade, upgrade
from clinic_testkit.service_process import package_of

pytestmark = pytest.mark.integration
SERVICES = ["booking", "schedules", "notifications", "calendar-sync"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_migrates_gets_ready_on_real_parts_and_stops_gracefully(
    service: str, launch_service: Any
) -> None:
    running = launch_service(service)
    base = running.base_url
    ready = httpx.get(f"{base}/readyz").json()
    assert ready["checks"] == {"database": "ok", "kafka": "ok"}
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/api/v1/{service}/openapi.json").status_code == 200
    missing = httpx.get(f"{base}/api/v1/{service}/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")

    # uvicorn drains, runs the lifespan's shutdown, then re-raises SIGTERM as its exit status.
    assert running.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in running.log()


@pytest.mark.parametrize("service", SERVICES)
def test_the_migration_history_goes_down_to_base_and_up_again(
    service: str, fresh_database: Callable[[str], Any]
) -> None:
    module = __import__(f"{package_of(service)}.app", fromlist=["MIGRATIONS"])
    database = fresh_database(package_of(service))
    upgrade(module.MIGRATIONS, database.url)
    downgrade(module.MIGRATIONS, database.url, "base")
    upgrade(module.MIGRATIONS, database.url)
