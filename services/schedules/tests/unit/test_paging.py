"""Range-search cursors: opaque, round-trip the sort key exactly, refuse anything else."""

import base64
import json
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from schedules.domain.paging import InvalidCursor, decode_cursor, encode_cursor


def test_a_cursor_round_trips_the_slot_key_as_a_utc_instant() -> None:
    start = datetime(2026, 11, 23, 10, 15, tzinfo=timezone(timedelta(hours=9)))
    key = (start, uuid4(), uuid4())
    cursor = encode_cursor(key)
    assert decode_cursor(cursor) == key
    assert decode_cursor(cursor)[0].utcoffset() == timedelta(0)
    # Opaque and URL-safe: no padding, nothing a query string must escape.
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_cursors_keep_the_order_of_their_keys() -> None:
    first = (datetime(2026, 11, 23, 9, tzinfo=UTC), uuid4(), uuid4())
    later = (first[0] + timedelta(minutes=30), first[1], first[2])
    assert decode_cursor(encode_cursor(first)) < decode_cursor(encode_cursor(later))


def _raw(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor",
        "%%%",
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _raw({"start": "2026-11-23T09:00:00+00:00"}),
        _raw([1, "2026-11-23T09:00:00+00:00", "x", "y"]),
        _raw([1, "2026-11-23T09:00:00", str(uuid4()), str(uuid4())]),  # naive instant
        _raw([2, "2026-11-23T09:00:00+00:00", str(uuid4()), str(uuid4())]),  # other version
        _raw([1, 5, str(uuid4()), str(uuid4())]),
    ],
)
def test_anything_but_a_cursor_this_api_made_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor)
