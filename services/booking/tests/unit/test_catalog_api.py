"""The catalog API's plumbing: cursors, partial updates, operation ids."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from uuid import uuid4

import pytest
from pydantic import ValidationError

from booking.api.catalog.appointment_types import AppointmentTypeUpdate
from booking.api.catalog.paging import decode_cursor, encode_cursor, to_page
from booking.app import build_app
from booking.config import Settings
from clinic_platform.errors import RuleViolation


def test_a_cursor_round_trips_the_position_it_encodes() -> None:
    item = SimpleNamespace(id=uuid4(), created_at=datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=UTC))
    assert decode_cursor(encode_cursor(item)) == (item.created_at, item.id)


@pytest.mark.parametrize("cursor", ["", "!!!", "bm90IGpzb24", "WzEsMl0", "WyJ4IiwieSJd"])
def test_a_cursor_the_api_never_issued_is_a_rule_violation_on_cursor(cursor: str) -> None:
    with pytest.raises(RuleViolation) as caught:
        decode_cursor(cursor)
    assert caught.value.field == "cursor"


def test_a_page_has_a_next_cursor_only_when_more_items_exist() -> None:
    items = [SimpleNamespace(id=uuid4(), created_at=datetime.now(UTC)) for _ in range(3)]
    full = to_page(items, 2, lambda i: i.id)
    assert full.items == [items[0].id, items[1].id]
    assert full.next_cursor == encode_cursor(items[1])
    assert to_page(items, 3, lambda i: i.id).next_cursor is None


def test_a_partial_update_keeps_only_what_was_sent_and_clears_only_nullable_fields() -> None:
    assert AppointmentTypeUpdate(default_room_id=None).changes() == {"default_room_id": None}
    with pytest.raises(ValidationError) as caught:
        AppointmentTypeUpdate(duration_minutes=None)
    assert caught.value.errors()[0]["type"] == "not_nullable"


def test_every_catalog_route_has_a_stable_operation_id() -> None:
    app = build_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    operations = {
        op["operationId"] for path in app.openapi()["paths"].values() for op in path.values()
    }
    for resource in ("location", "practitioner", "appointment_type", "room", "equipment"):
        plural = resource if resource == "equipment" else f"{resource}s"
        expected = {f"create_{resource}", f"read_{resource}", f"update_{resource}"}
        assert expected | {f"list_{plural}", f"retire_{resource}"} <= operations
    patients = {"create_patient", "list_patients", "read_patient", "update_patient"}
    assert patients | {"erase_patient"} <= operations
