"""Weekly templates: per practitioner and location, over date ranges that never overlap."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import Row, or_, text
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.store.rule_records.rows import Document, add, change, remove, rows
from schedules.store.tables import weekly_templates


async def templates(
    session: AsyncSession,
    practitioner_id: UUID,
    *,
    location_id: UUID | None,
    first: date,
    last: date,
) -> list[Row[Any]]:
    """Templates of a practitioner valid on some date of `first`..`last`, by location and date."""
    t = weekly_templates
    return await rows(
        session,
        t,
        t.c.practitioner_id == practitioner_id,
        *([t.c.location_id == location_id] if location_id is not None else []),
        t.c.effective_from <= last,
        or_(t.c.effective_to.is_(None), t.c.effective_to >= first),
        order=(t.c.location_id, t.c.effective_from),
    )


async def lock_templates(session: AsyncSession, tenant_id: UUID, place: tuple[UUID, UUID]) -> None:
    """Hold the (practitioner, location) templates until the transaction ends: concurrent
    replacements queue here, so the exclusion constraint never sees two of them interleave."""
    key = f"weekly_templates:{tenant_id}:{place[0]}:{place[1]}"
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
    )


async def replace_templates(
    session: AsyncSession,
    tenant_id: UUID,
    place: tuple[UUID, UUID],
    span: tuple[date, date | None],
    intervals: Document,
    *,
    by: UUID,
    new_id: UUID,
) -> list[Row[Any]]:
    """Make `intervals` the template of (practitioner, location) over `span`: an earlier template
    ends the day before, one inside is dropped, one reaching past the span keeps its part after
    it. Returns the new template, then any kept remainder (a copy of the older template).
    Call `lock_templates` first in the same transaction."""
    practitioner_id, location_id = place
    first, last = span
    t = weekly_templates
    found = await templates(
        session, practitioner_id, location_id=location_id, first=first, last=last or date.max
    )
    tails: list[tuple[date, Row[Any]]] = []
    for row in found:
        after = _day_after(last, row.effective_to)
        if row.effective_from < first:
            await change(session, t, row.id, effective_to=first - timedelta(days=1))
            if after is not None:
                tails.append((after, row))
        elif after is not None:
            await change(session, t, row.id, effective_from=after)
        else:
            await remove(session, t, row.id)
    place_of = {"practitioner_id": practitioner_id, "location_id": location_id, "updated_by": by}
    stored = [
        await add(
            session,
            t,
            tenant_id,
            id=new_id,
            effective_from=first,
            effective_to=last,
            intervals=intervals,
            **place_of,
        )
    ]
    for start, row in tails:
        stored.append(
            await add(
                session,
                t,
                tenant_id,
                effective_from=start,
                effective_to=row.effective_to,
                intervals=row.intervals,
                **place_of,
            )
        )
    return stored


def _day_after(last: date | None, other_end: date | None) -> date | None:
    """The day after `last` when a template ending `other_end` reaches beyond it, else None."""
    if last is None or (other_end is not None and other_end <= last):
        return None
    return last + timedelta(days=1)
