"""Each service runs as its own process: migrates its own database, gets ready, stops gracefully."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from clinic_platform.store.migrations import downgrade, upgrade
from clinic_testkit.prometheus import counter_value, parse_samples
from clinic_testkit.service_process import package_of

pytestmark = pytest.mark.integration
SERVICES = ["booking", "schedules", "notifications", "calendar-sync"]


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_migrates_gets_ready_on_real_parts_and_stops_gracefully(
    service: str, launch_service: Any
) -> None:
    running = launch_service(service, log_format="json")
    base = running.base_url
    ready = httpx.get(f"{base}/readyz").json()
    assert ready["checks"] == {"database": "ok", "kafka": "ok"}
    assert httpx.get(f"{base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{base}/api/v1/{service}/openapi.json").status_code == 200
    request_id = f"missing-{service}"
    missing = httpx.get(
        f"{base}/api/v1/{service}/no-such-thing", headers={"X-Request-ID": request_id}
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert missing.headers["X-Request-ID"] == request_id
    scraped = parse_samples(httpx.get(f"{base}/metrics").text)
    readyz = {"http_route": "/readyz", "http_request_method": "GET"}
    requests = "http_server_request_duration_seconds_count"
    # The testkit's wait for readiness, then ours.
    assert counter_value(scraped, requests, **readyz, http_response_status_class="2xx") >= 2
    assert ("clinic_outbox_backlog", frozenset()) in scraped

    # uvicorn drains, runs the lifespan's shutdown, then re-raises SIGTERM as its exit status.
    assert running.stop() in (0, -signal.SIGTERM)
    # One JSON object per line, from the first (uvicorn starting) to the last (shutdown).
    lines = [json.loads(line) for line in running.log().splitlines() if line.strip()]
    assert any(line["message"] == "Application shutdown complete." for line in lines)
    mine = [line for line in lines if line.get("request_id") == request_id]
    access = [line for line in mine if line["logger"] == "uvicorn.access"]
    assert [(line["path"], line["status"]) for line in access] == [
        (f"/api/v1/{service}/no-such-thing", 404)
    ]
    assert len(access[0]["trace_id"]) == 32


@pytest.mark.parametrize("service", SERVICES)
def test_the_migration_history_goes_down_to_base_and_up_again(
    service: str, fresh_database: Callable[[str], Any]
) -> None:
    module = __import__(f"{package_of(service)}.app", fromlist=["MIGRATIONS"])
    database = fresh_database(package_of(service))
    upgrade(module.MIGRATIONS, database.url)
    downgrade(module.MIGRATIONS, database.url, "base")
    upgrade(module.MIGRATIONS, database.url)
