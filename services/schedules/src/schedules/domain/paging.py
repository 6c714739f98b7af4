"""Opaque cursors of the range search: the sort key of the last slot a page showed.

Slots sort by (start, practitioner_id, location_id), which is unique per slot, so the next page
is everything after that key. Clients must treat the cursor as opaque (base64 of a versioned
JSON list), which leaves the server free to change it.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from uuid import UUID

SlotKey = tuple[datetime, UUID, UUID]
_VERSION = 1


class InvalidCursor(ValueError):
    """The cursor is not one this API handed out."""


def encode_cursor(key: SlotKey) -> str:
    """The cursor that resumes right after `key`."""
    start, practitioner_id, location_id = key
    raw = json.dumps(
        [_VERSION, start.astimezone(UTC).isoformat(), str(practitioner_id), str(location_id)]
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> SlotKey:
    """The key a cursor resumes after, or `InvalidCursor`."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        version, start, practitioner_id, location_id = json.loads(raw)
        instant = datetime.fromisoformat(start)
        key = (instant, UUID(practitioner_id), UUID(location_id))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc
    if version != _VERSION or instant.tzinfo is None:
        raise InvalidCursor("the cursor is not one this API returned")
    return key
