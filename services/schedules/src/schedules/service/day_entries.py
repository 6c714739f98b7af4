"""What touches one local date of a practitioner in the calendar's day view: the exceptions
that fall on it, leave and forced blocks overlapping it (a recurring block at each of its times)
and the holidays of its locations, recurrences expanded as the engine expands them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.domain.blocks import occurrences
from schedules.domain.recurrence import entry_dates
from schedules.store.rules import block_rule, exception_rule, holiday_rule
from schedules.store.tables import exceptions, forced_blocks, holidays, leaves

LEAVE_SHOWN = ("requested", "approved")


@dataclass(frozen=True, slots=True)
class BlockTime:
    """A forced block as it touches the date: its row, and the time of it (one of a recurring
    block's times) that does."""

    row: Row[Any]
    start: datetime
    end: datetime


async def exceptions_on(session: AsyncSession, practitioner_id: UUID, day: date) -> list[Row[Any]]:
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


async def leave_touching(
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


async def blocks_touching(
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


async def holiday_names(
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
