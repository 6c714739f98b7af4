"""Exceptions, leave and forced blocks of a practitioner."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.store.rule_records.rows import rows
from schedules.store.tables import appointment_types, exceptions, forced_blocks, leaves


async def exceptions_of(
    session: AsyncSession, practitioner_id: UUID, first: date, last: date
) -> list[Row[Any]]:
    """One-off exceptions dated `first`..`last` and recurring ones begun by `last`."""
    e = exceptions.c
    return await rows(
        session,
        exceptions,
        e.practitioner_id == practitioner_id,
        or_(e.on_date.between(first, last), and_(e.rrule.is_not(None), e.dtstart <= last)),
        order=(func.coalesce(e.on_date, e.dtstart), e.created_at),
    )


async def appointment_type_known(session: AsyncSession, type_id: UUID) -> bool:
    """Whether the catalog announced this appointment type and has not retired it."""
    t = appointment_types.c
    query = select(t.id).where(
        t.id == type_id, t.retired.is_(False), t.duration_minutes.is_not(None)
    )
    return (await session.execute(query)).first() is not None


async def leaves_of(
    session: AsyncSession,
    *,
    practitioner_id: UUID | None = None,
    status: str | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> list[Row[Any]]:
    """Leave requests, narrowed as asked, by start."""
    v = leaves.c
    where = [
        *([v.practitioner_id == practitioner_id] if practitioner_id is not None else []),
        *([v.status == status] if status is not None else []),
        *([v.end_at > between[0], v.start_at < between[1]] if between is not None else []),
    ]
    return await rows(session, leaves, *where, order=(v.start_at, v.id))


async def blocks_of(
    session: AsyncSession, practitioner_id: UUID, *, include_lifted: bool
) -> list[Row[Any]]:
    """A practitioner's forced blocks and emergencies (lifted ones only if asked), by start."""
    f = forced_blocks.c
    lifted = [] if include_lifted else [f.lifted_at.is_(None)]
    return await rows(
        session, forced_blocks, f.practitioner_id == practitioner_id, *lifted, order=[f.start_at]
    )
