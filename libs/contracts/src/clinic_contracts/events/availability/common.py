"""Topic name, key rule and example ids shared by the availability events."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from clinic_contracts.events.base import EventPayload

TOPIC = "schedules.availability.v1"
PRACTITIONER = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
LOCATION = "7d1f2c3a-8b4e-4f6a-9c0d-1e2f3a4b5c6d"
USER = "6b5a4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
EXCEPTION = "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a"
LEAVE = "4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8"
MAX_DATES = 366

SKIPPED = "Local dates the RRULE chooses that are skipped (EXDATE); only with rrule."
ADDED = "Local dates added to those the RRULE chooses (RDATE); only with rrule."


def ensure_dates_recur(rrule: str | None, exdates: list[dt.date], rdates: list[dt.date]) -> None:
    """Raise a ValueError when skipped or added dates come without a rule to recur by."""
    if rrule is None and (exdates or rdates):
        raise ValueError("exdates and rdates are set together with rrule only")


class AvailabilityEvent(EventPayload):
    """Base of the availability events: keyed by practitioner unless a subclass says otherwise."""

    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "practitioner_id"
