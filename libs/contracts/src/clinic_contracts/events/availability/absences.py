"""Leave with its approval flow, location holidays, forced blocks and emergencies."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator
from pydantic.config import JsonDict

from clinic_contracts.events.availability.common import (
    ADDED,
    LEAVE,
    LOCATION,
    MAX_DATES,
    PRACTITIONER,
    SKIPPED,
    USER,
    AvailabilityEvent,
    ensure_dates_recur,
)
from clinic_contracts.events.base import with_examples
from clinic_contracts.primitives import (
    IanaTimezone,
    RecurrenceRule,
    UtcDatetime,
    ensure_ordered,
)


class BlockKind(StrEnum):
    """Forced blocks are set by an admin; emergencies are sudden unavailability."""

    FORCED = "forced"
    EMERGENCY = "emergency"


class _LeaveState(AvailabilityEvent):
    """A leave request and the time it covers."""

    leave_id: UUID = Field(description="Id of the leave request.")
    practitioner_id: UUID = Field(description="Practitioner on leave; the message key.")
    start: UtcDatetime = Field(description="First instant of the leave, UTC.")
    end: UtcDatetime = Field(description="End of the leave (exclusive), UTC.")
    reason: str | None = Field(default=None, max_length=500, description="Reason, if given.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        ensure_ordered(self.start, self.end, "start", "end")
        return self


_LEAVE_EXAMPLE: JsonDict = {
    "leave_id": LEAVE,
    "practitioner_id": PRACTITIONER,
    "start": "2025-02-03T00:00:00Z",
    "end": "2025-02-08T00:00:00Z",
    "reason": "Conference",
}


class LeaveRequested(_LeaveState):
    """A practitioner requested leave; it removes no time until approved."""

    event_type: ClassVar[str] = "clinic.schedules.leave.requested.v1"
    model_config = with_examples({**_LEAVE_EXAMPLE, "requested_by": PRACTITIONER})

    requested_by: UUID = Field(description="User who filed the request.")


class LeaveApproved(_LeaveState):
    """Leave was approved and now removes time."""

    event_type: ClassVar[str] = "clinic.schedules.leave.approved.v1"
    model_config = with_examples({**_LEAVE_EXAMPLE, "decided_by": USER})

    decided_by: UUID = Field(description="User who approved it.")


class LeaveRejected(_LeaveState):
    """Leave was rejected."""

    event_type: ClassVar[str] = "clinic.schedules.leave.rejected.v1"
    model_config = with_examples({**_LEAVE_EXAMPLE, "decided_by": USER})

    decided_by: UUID = Field(description="User who rejected it.")


class LeaveCancelled(_LeaveState):
    """Leave was withdrawn; if it had been approved, its time is available again."""

    event_type: ClassVar[str] = "clinic.schedules.leave.cancelled.v1"
    model_config = with_examples({**_LEAVE_EXAMPLE, "cancelled_by": PRACTITIONER})

    cancelled_by: UUID = Field(description="User who cancelled it.")


class HolidayChanged(AvailabilityEvent):
    """A location's holiday was set or (with ``removed``) taken back; with ``rrule`` it recurs
    from ``date`` on every local date the rule chooses (less ``exdates``, plus ``rdates``)."""

    event_type: ClassVar[str] = "clinic.schedules.holiday.changed.v1"
    key_field: ClassVar[str] = "location_id"
    model_config = with_examples(
        {"location_id": LOCATION, "date": "2025-01-29", "name": "Lunar New Year", "removed": False},
        {
            "location_id": LOCATION,
            "date": "2025-12-25",
            "name": "Christmas Day",
            "rrule": "FREQ=YEARLY",
            "exdates": ["2030-12-25"],
        },
    )

    location_id: UUID = Field(description="Location of the holiday; the message key.")
    date: dt.date = Field(description="Local date of the holiday; its first date if it recurs.")
    name: str = Field(max_length=200, description="Name of the holiday.")
    removed: bool = Field(default=False, description="True when the holiday no longer applies.")
    rrule: RecurrenceRule | None = Field(
        default=None, description="RFC 5545 RRULE choosing the dates it recurs on, from date."
    )
    exdates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES, description=SKIPPED)
    rdates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES, description=ADDED)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        ensure_dates_recur(self.rrule, self.exdates, self.rdates)
        return self


class ForcedBlockChanged(AvailabilityEvent):
    """A forced block or emergency unavailability was set or (with ``removed``) lifted. With
    ``rrule`` it recurs: ``start``..``end`` is its first time, repeated at the same local times
    in ``timezone`` on every local date the rule chooses (less ``exdates``, plus ``rdates``)."""

    event_type: ClassVar[str] = "clinic.schedules.forced_block.changed.v1"
    model_config = with_examples(
        {
            "block_id": "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d",
            "practitioner_id": PRACTITIONER,
            "start": "2025-01-15T06:00:00Z",
            "end": "2025-01-15T08:00:00Z",
            "kind": "emergency",
            "removed": False,
        },
        {
            "block_id": "8a9b0c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2e",
            "practitioner_id": PRACTITIONER,
            "start": "2025-01-13T08:00:00Z",
            "end": "2025-01-13T09:00:00Z",
            "kind": "forced",
            "reason": "Team meeting",
            "timezone": "Europe/Berlin",
            "rrule": "FREQ=WEEKLY;BYDAY=MO",
            "exdates": ["2025-01-27"],
        },
    )

    block_id: UUID = Field(description="Id of the block.")
    practitioner_id: UUID = Field(description="Practitioner blocked; the message key.")
    start: UtcDatetime = Field(description="First blocked instant, UTC.")
    end: UtcDatetime = Field(description="End of the block (exclusive), UTC.")
    kind: BlockKind = Field(description="forced (admin) or emergency.")
    removed: bool = Field(default=False, description="True when the block was lifted.")
    reason: str | None = Field(default=None, max_length=500, description="Reason, if given.")
    timezone: IanaTimezone | None = Field(
        default=None, description="Zone whose local times a recurring block repeats; with rrule."
    )
    rrule: RecurrenceRule | None = Field(
        default=None, description="RFC 5545 RRULE choosing the dates it recurs on, from start's."
    )
    exdates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES, description=SKIPPED)
    rdates: list[dt.date] = Field(default_factory=list, max_length=MAX_DATES, description=ADDED)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        ensure_ordered(self.start, self.end, "start", "end")
        if (self.rrule is None) != (self.timezone is None):
            raise ValueError("timezone is set together with rrule, and only then")
        ensure_dates_recur(self.rrule, self.exdates, self.rdates)
        return self
