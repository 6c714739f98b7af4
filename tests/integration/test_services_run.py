"""Each service runs as its own process: migrates its own database, gets ready, stops gracefully."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable
from typing import Any

import httpx
import psycopg
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


# What a migration creates in the public schema, each as comparable text: tables and columns
# with types, defaults and nullability; constraints; indexes; row-level security policies;
# triggers; functions; extensions.
SCHEMA_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'public'""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'",
    "policies": """
        SELECT tablename, policyname, cmd, qual, with_check
        FROM pg_policies WHERE schemaname = 'public'""",
    "row_security": """
        SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid)
        FROM pg_trigger WHERE NOT tgisinternal""",
    # Our own functions only: an extension's (btree_gist's) belong to the extension.
    "functions": """
        SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p
        WHERE pronamespace = 'public'::regnamespace AND prokind = 'f' AND NOT EXISTS (
            SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')""",
    "extensions": "SELECT extname FROM pg_extension",
}


def schema_of(dsn: str) -> dict[str, list[tuple[object, ...]]]:
    """The public schema's shape, every part sorted, so two snapshots compare exactly."""
    with psycopg.connect(dsn) as connection:
        return {
            part: sorted(connection.execute(query).fetchall(), key=repr)
            for part, query in SCHEMA_QUERIES.items()
        }


@pytest.mark.parametrize("service", SERVICES)
def test_the_migration_history_goes_down_to_base_and_up_again(
    service: str, fresh_database: Callable[[str], Any]
) -> None:
    module = __import__(f"{package_of(service)}.app", fromlist=["MIGRATIONS"])
    database = fresh_database(package_of(service))
    upgrade(module.MIGRATIONS, database.url)
    migrated = schema_of(database.admin_dsn)
    assert any(row[0] == "clinic_outbox" for row in migrated["columns"])  # platform tables too

    downgrade(module.MIGRATIONS, database.url, "base")
    emptied = schema_of(database.admin_dsn)
    assert {row[0] for row in emptied["columns"]} <= {"alembic_version"}
    for part in ("policies", "triggers", "functions"):
        assert emptied[part] == [], f"{part} left behind by the downgrade: {emptied[part]}"
    assert {row[0] for row in emptied["indexes"]} <= {"alembic_version"}

    upgrade(module.MIGRATIONS, database.url)
    assert schema_of(database.admin_dsn) == migrated
