"""Contract events of `schedules.availability.v1` built from stored rule rows.

The contracts' local time ranges need an end after the start within one day, so an end at
midnight (stored "00:00", "24:00" in the API) travels as 23:59:59.999999, the last instant of it.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import Row

from clinic_contracts import (
    ClinicHoursChanged,
    DateOverride,
    EventPayload,
    ExceptionCreated,
    ExceptionUpdated,
    ForcedBlockChanged,
    HolidayChanged,
    WeekdayHours,
    WeeklyInterval,
    WeeklyScheduleReplaced,
)
from clinic_contracts.primitives import LocalTimeRange, Weekday
from schedules.domain.model import MIDNIGHT

WEEKDAYS = tuple(Weekday)  # index 0 is Monday, as `date.weekday()` counts
E = TypeVar("E", bound=EventPayload)


def contract_end(end: time) -> time:
    """A rule end as the contracts carry it (midnight becomes the day's last instant)."""
    return time.max if end == MIDNIGHT else end


def _range(item: dict[str, Any]) -> dict[str, time]:
    start, end = time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
    return {"start_time": start, "end_time": contract_end(end)}


def weekly_replaced(row: Row[Any]) -> WeeklyScheduleReplaced:
    """The event of one stored weekly template."""
    return WeeklyScheduleReplaced(
        practitioner_id=row.practitioner_id,
        location_id=row.location_id,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        intervals=[
            WeeklyInterval(
                weekday=WEEKDAYS[item["weekday"]],
                max_parallel_sessions=item.get("max_parallel_sessions", 1),
                **_range(item),
            )
            for item in row.intervals
        ],
    )


def clinic_hours_changed(row: Row[Any]) -> ClinicHoursChanged:
    """The event of a location's stored clinic-hours document (its full state)."""
    return ClinicHoursChanged(
        location_id=row.location_id,
        hours=[
            WeekdayHours(weekday=WEEKDAYS[item["weekday"]], **_range(item)) for item in row.weekly
        ],
        date_overrides=[
            DateOverride(
                date=date.fromisoformat(item["date"]),
                intervals=[LocalTimeRange(**_range(span)) for span in item["intervals"]],
            )
            for item in row.date_overrides
        ],
        closed_dates=sorted(row.closed_dates),
    )


def exception_state(
    kind: type[ExceptionCreated] | type[ExceptionUpdated], row: Row[Any]
) -> ExceptionCreated | ExceptionUpdated:
    """ExceptionCreated or ExceptionUpdated carrying the stored exception's full state."""
    timed = row.start_time is not None
    return kind(
        exception_id=row.id,
        practitioner_id=row.practitioner_id,
        location_id=row.location_id,
        kind=row.kind,
        all_day=not timed,
        date=row.on_date,
        rrule=row.rrule,
        dtstart=row.dtstart,
        exdates=row.exdates,
        rdates=row.rdates,
        start_time=row.start_time,
        end_time=contract_end(row.end_time) if timed else None,
        appointment_type_id=row.appointment_type_id,
        reason=row.reason,
    )


def holiday_changed(row: Row[Any], *, removed: bool = False) -> HolidayChanged:
    """The event of a holiday set or (removed) taken back, with the rule it recurs by."""
    return HolidayChanged(
        location_id=row.location_id,
        date=row.on_date,
        name=row.name,
        removed=removed,
        rrule=row.rrule,
        exdates=row.exdates,
        rdates=row.rdates,
    )


def leave_event(kind: type[E], row: Row[Any], **decided: UUID) -> E:
    """A leave event of the stored request; `decided` names who requested, decided or cancelled."""
    return kind(
        leave_id=row.id,
        practitioner_id=row.practitioner_id,
        start=row.start_at,
        end=row.end_at,
        reason=row.reason,
        **decided,
    )


def block_changed(row: Row[Any], *, removed: bool) -> ForcedBlockChanged:
    """The event of a forced block or emergency set or (removed) lifted."""
    return ForcedBlockChanged(
        block_id=row.id,
        practitioner_id=row.practitioner_id,
        start=row.start_at,
        end=row.end_at,
        kind=row.kind,
        removed=removed,
        reason=row.reason,
        timezone=row.timezone,
        rrule=row.rrule,
        exdates=row.exdates,
        rdates=row.rdates,
    )
