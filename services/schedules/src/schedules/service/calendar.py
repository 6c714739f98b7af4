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
from schedules.domain.blocks import occurrences
from schedules.domain.local_time import whole_day
from schedules.domain.recurrence import entry_dates
from schedules.service.access import known_practitioner
from schedules.store.rules import (
    block_rule,
    exception_rule,
    holiday_rule,
    load_rules,
    location_zones,
    utc_reach,
)
from schedules.store.tables import (
    booked_intervals,
    exceptions,
    forced_blocks,
    holidays,
    leaves,
    outside_hours_marks,
)

# Appointments that happened or will: cancelled and declined ones are not on the calendar.
COUNTED = ("pending", "confirmed", "completed", "no_show")
LEAVE_SHOWN = ("requested", "approved")


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
class BlockTime:
    """A forced block as it touches the date: its row, and the time of it (one of a recurring
    block's times) that does."""

    row: Row[Any]
    start: datetime
    end: datetime


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


async def _occurring(session: AsyncSession, practitioner_id: UUID, day: date) -> list[Row[Any]]:
    """The practitioner's exceptions that fall on the date (recurrences expanded by dateutil)."""
    t = exceptions
    rows = await session.execute(
        select(t)
        .where(
            t.c.practitioner_id == practitioner_id,
            or_(t.c.on_date == day, and_(t.c.rrule.is_not(None), t.c.dtstart <= day)),
        )
        .order_by(t.c.start_time.nulls_first(), t.c.id)
    )
    return [row for row in rows if entry_dates(exception_rule(row), day, day)]


async def _leaves(
    session: AsyncSession, practitioner_id: UUID, low: datetime, high: datetime
) -> list[Row[Any]]:
    """Leave (requested or approved) overlapping `[low, high)`."""
    v = leaves.c
    query = select(leaves).where(
        v.practitioner_id == practitioner_id,
        v.status.in_(LEAVE_SHOWN),
        v.start_at < high,
        v.end_at > low,
    )
    return list(await session.execute(query.order_by(v.start_at)))


async def _blocks(
    session: AsyncSession, practitioner_id: UUID, low: datetime, high: datetime
) -> list[BlockTime]:
    """Standing forced blocks overlapping `[low, high)`, a recurring one at each time it does."""
    f = forced_blocks.c
    query = select(forced_blocks).where(
        f.practitioner_id == practitioner_id,
        f.lifted_at.is_(None),
        f.start_at < high,
        or_(f.end_at > low, f.rrule.is_not(None)),
    )
    found = []
    for row in await session.execute(query):
        times = [(row.start_at, row.end_at)]
        if row.rrule is not None:
            times = [(b.start, b.end) for b in occurrences(block_rule(row), low, high)]
        found += [BlockTime(row, start, end) for start, end in times]
    return sorted(found, key=lambda b: (b.start, str(b.row.id)))


async def _holiday_names(
    session: AsyncSession, location_ids: Collection[UUID], day: date
) -> dict[UUID, list[str]]:
    """Names of the holidays on the date at each location (recurring ones expanded)."""
    names: dict[UUID, list[str]] = {at: [] for at in location_ids}
    if location_ids:
        h = holidays.c
        rows = await session.execute(
            select(holidays).where(
                h.location_id.in_(list(location_ids)),
                or_(h.on_date == day, and_(h.rrule.is_not(None), h.on_date <= day)),
            )
        )
        for row in rows:
            if entry_dates(holiday_rule(row.on_date, row.rrule, row.exdates, row.rdates), day, day):
                names[row.location_id].append(row.name)
    return names


async def day_view(session: AsyncSession, practitioner_id: UUID, day: date) -> DayView:
    """The date at each placement, plus exceptions, leave, blocks and appointments touching it."""
    await known_practitioner(session, practitioner_id)
    found = await load_rules(session, [practitioner_id], day, day)
    names = await _holiday_names(session, [at for _, at in found], day)
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
        await _occurring(session, practitioner_id, day),
        await _leaves(session, practitioner_id, low, high),
        await _blocks(session, practitioner_id, low, high),
        await _appointments(session, practitioner_id, low, high),
    )
