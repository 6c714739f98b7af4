"""Response models of the availability queries; instants in UTC, local times with their offset.

Local wall-clock times are "HH:MM" (or "HH:MM:SS"); an interval ending at midnight ends at "24:00".
"""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from schedules.domain import Window
from schedules.service.calendar import CalendarDay, DayView, LocationDay
from schedules.service.day_entries import BlockTime
from schedules.service.queries import PlacedSlot


def wall(at: time, *, end: bool = False) -> str:
    """A local time as the API writes it; midnight as an end is 24:00."""
    if end and at == time(0):
        return "24:00"
    return at.isoformat("seconds" if at.second else "minutes")


class SlotPublic(BaseModel):
    """A bookable slot: UTC instants, the same in the location's local time, capacity left."""

    start: AwareDatetime
    end: AwareDatetime
    local_start: AwareDatetime
    local_end: AwareDatetime
    practitioner_id: UUID
    location_id: UUID
    remaining: int = Field(description="How many more parallel sessions the slot takes.")

    @classmethod
    def of(cls, placed: PlacedSlot) -> SlotPublic:
        slot, zone = placed.slot, placed.zone
        return cls(
            start=slot.start,
            end=slot.end,
            local_start=slot.start.astimezone(zone),
            local_end=slot.end.astimezone(zone),
            practitioner_id=placed.practitioner_id,
            location_id=placed.location_id,
            remaining=slot.remaining,
        )


class DaySlots(BaseModel):
    """The slots of one practitioner on one local date, at each of their locations, by start."""

    practitioner_id: UUID
    date: date
    appointment_type_id: UUID
    slots: list[SlotPublic]


class SlotPage(BaseModel):
    """A page of the range search; pass `next_cursor` back as `cursor` (null: no more)."""

    items: list[SlotPublic]
    next_cursor: str | None


class CalendarDayPublic(BaseModel):
    date: date
    appointments: int
    outside_hours: bool

    @classmethod
    def of(cls, day: CalendarDay) -> CalendarDayPublic:
        return cls(date=day.on, appointments=day.appointments, outside_hours=day.outside_hours)


class MonthCalendar(BaseModel):
    """Appointments per local date of a month (each at its location's local date)."""

    view: Literal["month"] = "month"
    practitioner_id: UUID
    month: str = Field(examples=["2026-11"])
    days: list[CalendarDayPublic]


class LocalInterval(BaseModel):
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["24:00"])
    max_parallel_sessions: int = 1


class WindowPublic(BaseModel):
    start: AwareDatetime
    end: AwareDatetime
    local_start: AwareDatetime
    local_end: AwareDatetime


class LocationDayPublic(BaseModel):
    """One location on the date: default intervals, clinic hours, holidays, effective windows."""

    location_id: UUID
    timezone: str
    default_intervals: list[LocalInterval]
    clinic_hours: list[LocalInterval] | None = Field(description="null: the location sets none.")
    clinic_closed: bool
    holidays: list[str]
    windows: list[WindowPublic]

    @classmethod
    def of(cls, place: LocationDay) -> LocationDayPublic:
        def window(w: Window) -> WindowPublic:
            local_start, local_end = w.start.astimezone(place.zone), w.end.astimezone(place.zone)
            return WindowPublic(
                start=w.start, end=w.end, local_start=local_start, local_end=local_end
            )

        hours = place.clinic_hours
        return cls(
            location_id=place.location_id,
            timezone=place.zone.key,
            default_intervals=[
                LocalInterval(start=wall(s), end=wall(e, end=True), max_parallel_sessions=n)
                for s, e, n in place.default_intervals
            ],
            clinic_hours=None
            if hours is None
            else [LocalInterval(start=wall(s), end=wall(e, end=True)) for s, e in hours],
            clinic_closed=place.clinic_closed,
            holidays=place.holidays,
            windows=[window(w) for w in place.windows],
        )


class ExceptionPublic(BaseModel):
    id: UUID
    kind: str
    location_id: UUID | None
    all_day: bool
    start: str | None
    end: str | None
    recurring: bool
    rrule: str | None
    dtstart: date | None
    exdates: list[date]
    rdates: list[date]
    appointment_type_id: UUID | None
    reason: str | None


class PeriodPublic(BaseModel):
    """A leave or a forced block touching the date."""

    id: UUID
    start: datetime
    end: datetime
    kind: str = Field(description="leave, forced or emergency")
    status: str | None = Field(description="Leave only: requested or approved.")
    reason: str | None
    recurring: bool = Field(default=False, description="Blocks: one time of a recurring block.")


class AppointmentMark(BaseModel):
    appointment_id: UUID
    location_id: UUID
    appointment_type_id: UUID
    status: str
    start: datetime
    end: datetime
    outside_hours: bool


class DayCalendar(BaseModel):
    """One date: each location's rules and windows, and the practitioner's entries touching it."""

    view: Literal["day"] = "day"
    practitioner_id: UUID
    date: date
    locations: list[LocationDayPublic]
    exceptions: list[ExceptionPublic]
    leaves: list[PeriodPublic]
    blocks: list[PeriodPublic]
    appointments: list[AppointmentMark]

    @classmethod
    def of(cls, practitioner_id: UUID, on: dt.date, view: DayView) -> DayCalendar:
        return cls(
            practitioner_id=practitioner_id,
            date=on,
            locations=[LocationDayPublic.of(place) for place in view.locations],
            exceptions=[_exception(row) for row in view.exceptions],
            leaves=[_period(row, "leave", row.status) for row in view.leaves],
            blocks=[_block(block) for block in view.blocks],
            appointments=[
                AppointmentMark(
                    appointment_id=row.appointment_id,
                    location_id=row.location_id,
                    appointment_type_id=row.appointment_type_id,
                    status=row.status,
                    start=row.start_at,
                    end=row.end_at,
                    outside_hours=row.outside_hours,
                )
                for row in view.appointments
            ],
        )


def _exception(row: Any) -> ExceptionPublic:
    timed = row.start_time is not None
    return ExceptionPublic(
        id=row.id,
        kind=row.kind,
        location_id=row.location_id,
        all_day=not timed,
        start=wall(row.start_time) if timed else None,
        end=wall(row.end_time, end=True) if timed else None,
        recurring=row.rrule is not None,
        rrule=row.rrule,
        dtstart=row.dtstart,
        exdates=row.exdates,
        rdates=row.rdates,
        appointment_type_id=row.appointment_type_id,
        reason=row.reason,
    )


def _block(block: BlockTime) -> PeriodPublic:
    row = block.row
    return PeriodPublic(
        id=row.id,
        start=block.start,
        end=block.end,
        kind=row.kind,
        status=None,
        reason=row.reason,
        recurring=row.rrule is not None,
    )


def _period(row: Any, kind: str, status: str | None) -> PeriodPublic:
    return PeriodPublic(
        id=row.id, start=row.start_at, end=row.end_at, kind=kind, status=status, reason=row.reason
    )
