"""Catalog changes are audited (append-only) and published; the migration matches the tables."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from booking.store.tables import catalog as catalog_tables
from booking.store.tables.audit import audit_log
from booking.store.tables.base import metadata
from clinic_contracts.events.catalog import TOPIC, LocationRetired, LocationUpserted
from clinic_testkit.topic_reader import TopicReader

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
MINE = {table.name for table in vars(catalog_tables).values() if isinstance(table, sa.Table)}


def _admin(booking: Any) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(booking.admin_url.replace("+psycopg", ""))


async def test_a_location_is_published_upserted_then_retired_keyed_by_its_id(
    booking: Any, kafka_bootstrap: str
) -> None:
    reader = await TopicReader(kafka_bootstrap, TOPIC).mark()
    admin = booking.headers("admin")
    made = await booking.client.post(
        f"{API}/locations", json={"name": "A", "timezone": "Asia/Taipei"}, headers=admin
    )
    location_id = made.json()["id"]
    await booking.client.delete(f"{API}/locations/{location_id}", headers=admin)

    messages = await reader.read(
        lambda found: len(found) >= 2,
        accept=lambda m: m.headers.get("ce_tenantid") == str(booking.tenant_id),
    )
    assert [m.headers["ce_type"] for m in messages] == [
        LocationUpserted.event_type,
        LocationRetired.event_type,
    ]
    assert {m.key for m in messages} == {location_id}
    assert {m.headers["ce_subject"] for m in messages} == {f"locations/{location_id}"}
    assert json.loads(messages[0].value) == {
        "location_id": location_id,
        "name": "A",
        "address": "",
        "timezone": "Asia/Taipei",
        "active": True,
    }


async def test_every_catalog_change_appends_who_did_what_before_and_after(booking: Any) -> None:
    admin = booking.headers("admin", subject="ops-1")
    made = await booking.client.post(
        f"{API}/locations", json={"name": "A", "timezone": "Asia/Taipei"}, headers=admin
    )
    url = f"{API}/locations/{made.json()['id']}"
    await booking.client.patch(url, json={"name": "B"}, headers=admin)
    await booking.client.delete(url, headers=admin)
    with _admin(booking) as db:
        rows = db.execute(
            "SELECT entity_type, action, actor_subject, actor_roles, before->>'name',"
            " after->>'name', tenant_id FROM audit_log WHERE entity_id = %s ORDER BY id",
            (made.json()["id"],),
        ).fetchall()
    assert [r[:6] for r in rows] == [
        ("location", "created", "ops-1", ["admin"], None, "A"),
        ("location", "updated", "ops-1", ["admin"], "A", "B"),
        ("location", "retired", "ops-1", ["admin"], "B", "B"),
    ]
    assert {r[6] for r in rows} == {booking.tenant_id}


async def test_a_refused_change_writes_nothing_at_all(booking: Any) -> None:
    response = await booking.client.post(
        f"{API}/rooms",
        json={"location_id": "7d1f2c3a-8b4e-4f6a-9c0d-1e2f3a4b5c6d", "name": "R"},
        headers=booking.headers("admin"),
    )
    assert (response.status_code, response.json()["field"]) == (422, "location_id")
    with _admin(booking) as db:
        counts = db.execute(
            "SELECT (SELECT count(*) FROM rooms), (SELECT count(*) FROM audit_log),"
            " (SELECT count(*) FROM clinic_outbox)"
        ).fetchone()
    assert counts == (0, 0, 0)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log", "TRUNCATE audit_log"],
)
async def test_the_audit_log_refuses_updates_and_deletes_even_from_a_superuser(
    booking: Any, statement: str
) -> None:
    await booking.client.post(
        f"{API}/locations",
        json={"name": "A", "timezone": "Asia/Taipei"},
        headers=booking.headers("admin"),
    )
    with _admin(booking) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute(statement)
    with _admin(booking) as db:
        assert db.execute("SELECT action FROM audit_log").fetchall() == [("created",)]


def test_the_migrations_create_exactly_the_catalog_and_audit_tables(booking: Any) -> None:
    engine = sa.create_engine(booking.admin_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert [d for d in diffs if _table_of(d) in MINE | {audit_log.name}] == []


def _table_of(diff: Any) -> str:
    # Alembic diffs are (op, Table | Index | Constraint, …) or (op, schema, table, column, …).
    item = diff[0] if isinstance(diff, list) else diff
    target = item[1]
    if isinstance(target, sa.Table):
        return str(target.name)
    if getattr(target, "table", None) is not None:
        return str(target.table.name)
    return str(item[2])
