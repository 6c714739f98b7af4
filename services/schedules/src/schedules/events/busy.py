"""Replica of external busy times: each replacement swaps a connection's intervals in its window."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import BusyTimesReplaced
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import upsert_latest
from schedules.store.tables import busy_intervals, busy_windows


async def on_busy_times_replaced(session: AsyncSession, event: ReceivedEvent) -> None:
    """Replace the connection's intervals overlapping the window, unless a later set is in."""
    payload = event.payload
    assert isinstance(payload, BusyTimesReplaced)
    tenant_id = event.envelope.tenantid
    latest = await upsert_latest(
        session,
        busy_windows,
        event,
        key="connection_id",
        connection_id=payload.connection_id,
        practitioner_id=payload.practitioner_id,
        window_start=payload.window_start,
        window_end=payload.window_end,
    )
    if not latest:
        return
    await session.execute(
        delete(busy_intervals).where(
            busy_intervals.c.tenant_id == tenant_id,
            busy_intervals.c.connection_id == payload.connection_id,
            busy_intervals.c.start_at < payload.window_end,
            busy_intervals.c.end_at > payload.window_start,
        )
    )
    if payload.intervals:
        rows = [
            {
                "tenant_id": tenant_id,
                "connection_id": payload.connection_id,
                "practitioner_id": payload.practitioner_id,
                "start_at": interval.start,
                "end_at": interval.end,
            }
            for interval in payload.intervals
        ]
        await session.execute(insert(busy_intervals).values(rows).on_conflict_do_nothing())
