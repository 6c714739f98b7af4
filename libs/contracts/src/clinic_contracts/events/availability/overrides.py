"""Date exceptions: one-off or recurring, all-day or timed, blocked or available."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator
from pydantic.config import JsonDict

from clinic_contracts.events.availability.common import (
    ADDED,
    EXCEPTION,
    MAX_DATES,
    PRACTITIONER,
    SKIPPED,
    AvailabilityEvent,
    ensure_dates_recur,
)
from clinic_contracts.events.base import with_examples
from clinic_contracts.primitives import LocalTime, RecurrenceRule, ensure_ordered


class ExceptionKind(StrEnum):
    """Whether an exception removes time or adds bookable time."""

    BLOCKED = "blocked"
    AVAILABLE = "available"


class _ExceptionState(AvailabilityEvent):
    """A date exception: one local date or an RRULE, all day or between local times."""

    exception_id: UUID = Field(description="Id of the exception.")
    practitioner_id: UUID = Field(description="Practitioner it applies to; the message key.")
    location_id: UUID | None = Field(default=None, description="Location; None = all of them.")
    kind: ExceptionKind = Field(description="blocked removes time; available adds time.")
    all_day: bool = Field(description="True for the whole local day(s).")
    date: dt.date | None = Field(default=None, description="The one local date, if not recurring.")
    rrule: RecurrenceRule | None = Field(default=None, description="RFC 5545 RRULE, if recurring.")
    dtstart: dt.date | None = Field(default=None, description="First local date of the RRULE.")
    exdates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES, description=SKIPPED)
    rdates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES, description=ADDED)
    start_time: LocalTime | None = Field(default=None, description="Local start unless all_day.")
    end_time: LocalTime | None = Field(default=None, description="Local end unless all_day.")
    appointment_type_id: UUID | None = Field(
        default=None, description="Only this appointment type is affected, if set."
    )
    reason: str | None = Field(default=None, max_length=500, description="Why, for the staff.")

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if (self.date is None) == (self.rrule is None):
            raise ValueError("exactly one of date or rrule must be set")
        if (self.rrule is None) != (self.dtstart is None):
            raise ValueError("dtstart must be set together with rrule, and only then")
        ensure_dates_recur(self.rrule, self.exdates, self.rdates)
        if self.all_day != (self.start_time is None and self.end_time is None):
            raise ValueError("start_time and end_time are required unless all_day, then absent")
        if self.start_time is not None and self.end_time is not None:
            ensure_ordered(self.start_time, self.end_time, "start_time", "end_time")
        return self


_EXCEPTION_EXAMPLE: JsonDict = {
    "exception_id": EXCEPTION,
    "practitioner_id": PRACTITIONER,
    "kind": "blocked",
    "all_day": False,
    "date": "2025-01-15",
    "start_time": "14:00",
    "end_time": "18:00",
    "reason": "Training",
}


class ExceptionCreated(_ExceptionState):
    """A date exception was created."""

    event_type: ClassVar[str] = "clinic.schedules.exception.created.v1"
    model_config = with_examples(_EXCEPTION_EXAMPLE)


class ExceptionUpdated(_ExceptionState):
    """A date exception was changed; carries its full new state."""

    event_type: ClassVar[str] = "clinic.schedules.exception.updated.v1"
    model_config = with_examples(
        {
            "exception_id": EXCEPTION,
            "practitioner_id": PRACTITIONER,
            "kind": "available",
            "all_day": True,
            "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=4",
            "dtstart": "2025-02-01",
            "exdates": ["2025-02-08"],
            "rdates": ["2025-02-02"],
        }
    )


class ExceptionDeleted(AvailabilityEvent):
    """A date exception was deleted."""

    event_type: ClassVar[str] = "clinic.schedules.exception.deleted.v1"
    model_config = with_examples({"exception_id": EXCEPTION, "practitioner_id": PRACTITIONER})

    exception_id: UUID = Field(description="Id of the deleted exception.")
    practitioner_id: UUID = Field(description="Practitioner it applied to; the message key.")
