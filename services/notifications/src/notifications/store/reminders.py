"""The durable reminder plan: rows per (appointment, start, offset), taken with SKIP LOCKED."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import RowMapping, and_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.reminders import PlannedReminder
from notifications.store.tables import appointments, reminders

SCHEDULED = "scheduled"


async def replan(
    session: AsyncSession,
    tenant_id: UUID,
    appointment_id: UUID,
    start: datetime,
    planned: Sequence[PlannedReminder],
) -> None:
    """Make the appointment's scheduled reminders exactly `planned` for `start`: reminders of
    another start or offset are withdrawn, ones already queued are never planned again."""
    offsets = [p.offset_minutes for p in planned]
    await session.execute(
        update(reminders)
        .where(
            reminders.c.appointment_id == appointment_id,
            reminders.c.state == SCHEDULED,
            (reminders.c.start_at != start) | reminders.c.offset_minutes.not_in(offsets),
        )
        .values(state="withdrawn")
    )
    if planned:
        rows = [
            {
                "tenant_id": tenant_id,
                "appointment_id": appointment_id,
                "start_at": start,
                "offset_minutes": p.offset_minutes,
                "due_at": p.due_at,
            }
            for p in planned
        ]
        await session.execute(insert(reminders).values(rows).on_conflict_do_nothing())


async def withdraw(session: AsyncSession, appointment_id: UUID) -> int:
    """Withdraw every scheduled reminder of the appointment; how many."""
    result = await session.execute(
        update(reminders)
        .where(reminders.c.appointment_id == appointment_id, reminders.c.state == SCHEDULED)
        .values(state="withdrawn")
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def take_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[RowMapping]:
    """Lock up to `limit` due scheduled reminders with their appointment's current state;
    replicas running the same query skip each other's rows."""
    query = (
        select(
            reminders,
            appointments.c.status,
            appointments.c.start_at.label("current_start"),
            appointments.c.end_at,
            appointments.c.patient_id,
            appointments.c.practitioner_id,
            appointments.c.location_id,
            appointments.c.appointment_type_id,
        )
        .join(
            appointments,
            and_(
                appointments.c.tenant_id == reminders.c.tenant_id,
                appointments.c.id == reminders.c.appointment_id,
            ),
        )
        .where(reminders.c.state == SCHEDULED, reminders.c.due_at <= now)
        .order_by(reminders.c.due_at)
        .limit(limit)
        .with_for_update(of=reminders, skip_locked=True)
    )
    return (await session.execute(query)).mappings().all()


async def mark(session: AsyncSession, row: RowMapping, state: str) -> None:
    """Set one reminder's state."""
    await session.execute(
        update(reminders)
        .where(
            reminders.c.tenant_id == row["tenant_id"],
            reminders.c.appointment_id == row["appointment_id"],
            reminders.c.start_at == row["start_at"],
            reminders.c.offset_minutes == row["offset_minutes"],
        )
        .values(state=state)
    )


async def of_appointment(session: AsyncSession, appointment_id: UUID) -> Sequence[RowMapping]:
    """The appointment's reminders, by due time."""
    rows = await session.execute(
        select(reminders)
        .where(reminders.c.appointment_id == appointment_id)
        .order_by(reminders.c.due_at)
    )
    return rows.mappings().all()
