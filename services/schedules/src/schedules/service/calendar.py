"""Calendar views of one practitioner: appointments per local day of a month, and one day whole.

An appointment is flagged outside hours when booking flagged it (the replica's `outside_hours`)
or when a confirmed rule change marked it at the times it still has (`outside_hours_marks`).
"""

from __future__ import annotations

import calendar as months
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.domain import ClinicHours, DateRange, Window, effective_windows
from schedules.domain.local_time import whole_day
from schedules.service import day_entries
from schedules.service.access import known_practitioner
from schedules.service.day_entries import BlockTime
from schedules.store.rules import load_rules, location_zones, utc_reach
from schedules.store.tables import booked_intervals, outside_hours_marks

# Appointments that happened or will: cancelled and declined ones are not on the calendar.
COUNTED = ("pending", "confirmed", "completed", "no_show")


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """A local date of the month: how many appointments, and whether any is outside hours."""

    on: date
    appointments: int
    outside_hours: bool


@dataclass(frozen=True, slots=True)
class LocationDay:
    """One placement on the date: its default intervals, clinic hours, holidays, windows."""

    location_id: UUID
    zone: ZoneInfo
    default_intervals: list[tuple[time, time, int]]
    clinic_hours: list[tuple[time, time]] | None  # None: the location sets no hours
    clinic_closed: bool
    holidays: list[str]
    windows: list[Window]


@dataclass(frozen=True, slots=True)
class DayView:
    """Everything of one date: per location, then the practitioner's own entries touching it."""

    locations: list[LocationDay]
    exceptions: list[Row[Any]]
    leaves: list[Row[Any]]
    blocks: list[BlockTime]
    appointments: list[Row[Any]]


async def _appointments(
    session: AsyncSession, practitioner_id: UUID, low: datetime, high: datetime
) -> list[Row[Any]]:
    """The practitioner's appointments overlapping `[low, high)`, with their outside flag."""
    b, m = booked_intervals, outside_hours_marks
    marked = and_(
        m.c.tenant_id == b.c.tenant_id,
        m.c.appointment_id == b.c.appointment_id,
        m.c.start_at == b.c.start_at,
        m.c.end_at == b.c.end_at,
    )
    query = (
        select(
            b.c.appointment_id,
            b.c.location_id,
            b.c.appointment_type_id,
            b.c.status,
            b.c.start_at,
            b.c.end_at,
            or_(b.c.outside_hours, m.c.appointment_id.is_not(None)).label("outside_hours"),
        )
        .select_from(b.outerjoin(m, marked))
        .where(
            b.c.kind == "appointment",
            b.c.status.in_(COUNTED),
            b.c.practitioner_ids.contains([practitioner_id]),
            b.c.start_at < high,
            b.c.end_at > low,
        )
        .order_by(b.c.start_at, b.c.appointment_id)
    )
    return list(await session.execute(query))


async def _zones(session: AsyncSession, location_ids: Collection[UUID]) -> dict[UUID, ZoneInfo]:
    return await location_zones(session, set(location_ids))


async def month_view(
    session: AsyncSession, practitioner_id: UUID, month: date
) -> list[CalendarDay]:
    """Every local date of the month, each appointment counted on its location's local date."""
    await known_practitioner(session, practitioner_id)
    first = month.replace(day=1)
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    rows = await _appointments(session, practitioner_id, *utc_reach(first, last))
    zones = await _zones(session, {row.location_id for row in rows})
    counts: Counter[date] = Counter()
    outside: set[date] = set()
    for row in rows:
        # A location without a known zone counts in UTC rather than vanishing.
        on = row.start_at.astimezone(zones.get(row.location_id, UTC)).date()
        counts[on] += 1
        if row.outside_hours:
            outside.add(on)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [CalendarDay(day, counts[day], day in outside) for day in days]


def _clinic_day(
    hours: ClinicHours | None, day: date
) -> tuple[list[tuple[time, time]] | None, bool]:
    """The clinic's local intervals on the date (overrides first), and whether it is closed."""
    if hours is None:
        return None, False
    local = [(o.start, o.end) for o in hours.overrides if o.on == day] or [
        (w.start, w.end) for w in hours.weekly if w.weekday == day.weekday()
    ]
    return sorted(local), day in hours.closed or not local


async def day_view(session: AsyncSession, practitioner_id: UUID, day: date) -> DayView:
    """The date at each placement, plus exceptions, leave, blocks and appointments touching it."""
    await known_practitioner(session, practitioner_id)
    found = await load_rules(session, [practitioner_id], day, day)
    names = await day_entries.holiday_names(session, [at for _, at in found], day)
    places: list[LocationDay] = []
    for (_, at), rules in sorted(found.items(), key=lambda item: str(item[0][1])):
        intervals = sorted(
            (w.start, w.end, w.max_parallel_sessions)
            for w in rules.weekly
            if w.location_id == at and w.weekday == day.weekday() and w.valid_on(day)
        )
        hours, closed = _clinic_day(rules.clinic_hours, day)
        windows = effective_windows(rules, DateRange(day, day))
        places.append(LocationDay(at, rules.zone, intervals, hours, closed, names[at], windows))
    # The date's real time differs per zone: take the union of its spans at every placement.
    spans = [whole_day(day, place.zone) for place in places] or [whole_day(day, ZoneInfo("UTC"))]
    low = datetime.fromtimestamp(min(s for s, _ in spans), UTC)
    high = datetime.fromtimestamp(max(e for _, e in spans), UTC)
    return DayView(
        places,
        await day_entries.exceptions_on(session, practitioner_id, day),
        await day_entries.leave_touching(session, practitioner_id, low, high),
        await day_entries.blocks_touching(session, practitioner_id, low, high),
        await _appointments(session, practitioner_id, low, high),
    )
