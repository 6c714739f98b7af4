"""A new reminder plan applies to upcoming appointments too (reminders not yet queued)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.reminders import ACTIVE_STATUSES, plan_reminders
from notifications.store import reminders
from notifications.store.tables import appointments


async def replan_upcoming(session: AsyncSession, tenant_id: UUID, offsets: Sequence[int]) -> int:
    """Re-plan every active future appointment of the tenant; returns how many."""
    now = datetime.now(UTC)
    rows = await session.execute(
        select(appointments.c.id, appointments.c.start_at).where(
            appointments.c.status.in_(ACTIVE_STATUSES), appointments.c.start_at > now
        )
    )
    count = 0
    for appointment_id, start in rows:
        await reminders.replan(
            session, tenant_id, appointment_id, start, plan_reminders(start, offsets, now)
        )
        count += 1
    return count
