"""A span of time in a request: UTC instants, or local date-times with the IANA zone they are in."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from clinic_contracts.edge import (
    EARLIEST_DATE,
    EARLIEST_INSTANT,
    LATEST_DATE,
    LATEST_INSTANT,
    SUPPORTED,
)
from clinic_contracts.primitives import IanaTimezone
from schedules.api.rules.schemas import Strict


class Span(Strict):
    """[start, end): ISO 8601 instants with an offset, or local date-times plus `timezone`
    (e.g. a whole day of leave as 2026-12-24T00:00 to 2026-12-25T00:00 in Europe/Berlin)."""

    timezone: IanaTimezone | None = Field(
        default=None, description="IANA zone of start/end when they carry no offset."
    )
    start: datetime
    end: datetime

    @field_validator("start", "end")
    @classmethod
    def _instant(cls, value: datetime, info: ValidationInfo) -> datetime:
        # Refused before any zone arithmetic, which overflows near the calendar's ends.
        if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
            raise _out_of_range()
        if value.tzinfo is None:
            name = info.data.get("timezone")
            if name is None:
                raise PydanticCustomError(
                    "timezone_required", "give an offset (e.g. Z) or a timezone for local times"
                )
            zone = ZoneInfo(name)
            value = value.replace(tzinfo=zone)
            # A wall time skipped by DST does not exist there; refuse rather than guess.
            if value.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != value.replace(
                tzinfo=None
            ):
                raise PydanticCustomError(
                    "nonexistent_local_time", "this local time does not exist in that zone (DST)"
                )
        instant = value.astimezone(UTC)
        if not EARLIEST_INSTANT <= instant < LATEST_INSTANT:
            raise _out_of_range()
        start = info.data.get("start")
        if info.field_name == "end" and start is not None and instant <= start:
            raise PydanticCustomError("end_not_after_start", "end must be after start")
        return instant


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError("instant_out_of_range", "must be an instant " + SUPPORTED)
