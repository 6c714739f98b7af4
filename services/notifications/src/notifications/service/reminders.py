"""The reminder scheduler: turns due reminders into deliveries, once, on any replica.

Due rows are locked with `FOR UPDATE SKIP LOCKED`, so replicas share the work without
taking the same reminder twice; the delivery and the reminder's `queued` state commit together.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_platform.runtime import Runtime, Worker
from clinic_platform.store.sessions import system_transaction
from notifications.config import Settings
from notifications.domain.model import Kind, RecipientKind
from notifications.domain.reminders import ACTIVE_STATUSES, too_late
from notifications.service.planning import RESOLVE_WITHIN
from notifications.store import deliveries
from notifications.store import reminders as store

log = logging.getLogger(__name__)


async def queue_due(runtime: Runtime, limit: int, now: datetime | None = None) -> int:
    """Queue every due reminder (up to `limit`) as a delivery; returns how many were taken."""
    now = now or datetime.now(UTC)
    async with system_transaction(runtime.sessions) as session:
        due = await store.take_due(session, now, limit)
        for row in due:
            await store.mark(session, row, await _queue(session, row, now))
    return len(due)


async def _queue(session: AsyncSession, row: RowMapping, now: datetime) -> str:
    if row["status"] not in ACTIVE_STATUSES or row["current_start"] != row["start_at"]:
        return "withdrawn"  # cancelled or moved since it was planned
    if row["start_at"] <= now or too_late(row["due_at"], row["offset_minutes"], now):
        return "missed"
    event_id = (
        f"reminder/{row['appointment_id']}/{row['start_at'].isoformat()}/{row['offset_minutes']}"
    )
    await deliveries.add(
        session,
        tenant_id=row["tenant_id"],
        delivery_key=f"{event_id}/{RecipientKind.PATIENT}/{row['patient_id']}",
        event_id=event_id,
        appointment_id=row["appointment_id"],
        recipient_kind=RecipientKind.PATIENT.value,
        recipient_id=row["patient_id"],
        kind=Kind.REMINDER.value,
        context={
            "event_type": "reminder",
            "status": row["status"],
            "start": row["start_at"].isoformat(),
            "end": row["end_at"].isoformat(),
            "patient_id": str(row["patient_id"]),
            "practitioner_id": str(row["practitioner_id"]),
            "location_id": str(row["location_id"]),
            "appointment_type_id": str(row["appointment_type_id"]),
            "offset_minutes": row["offset_minutes"],
        },
        resolve_by=min(now + RESOLVE_WITHIN, row["start_at"]),
        not_after=row["start_at"],  # never after the appointment started
    )
    return "queued"


def reminder_scheduler(runtime: Runtime, settings: Settings) -> Worker:
    """A runtime worker: queue due reminders every poll interval (at once while backlogged)."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                taken = await queue_due(runtime, settings.reminder_batch_size)
            except Exception:  # the database is away: try again at the next tick
                log.exception("reminder scheduling failed")
                taken = 0
            if taken < settings.reminder_batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), settings.reminder_poll_interval_s)

    return run
