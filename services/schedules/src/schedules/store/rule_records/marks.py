"""Future booked appointments a change can touch, and the outside-hours marks left on them."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import OutsideHoursCause
from schedules.domain.conflicts import Affected, BookedAppointment
from schedules.store.tables import booked_intervals, outside_hours_marks


async def future_appointments(
    session: AsyncSession,
    now: datetime,
    *,
    practitioner_ids: Collection[UUID] | None = None,
    location_id: UUID | None = None,
    between: tuple[datetime, datetime] | None = None,
) -> list[BookedAppointment]:
    """Booked (pending or confirmed) appointments starting after `now`, narrowed as asked."""
    b = booked_intervals.c
    where = [b.kind == "appointment", b.status.in_(("pending", "confirmed")), b.start_at > now]
    if practitioner_ids is not None:
        where.append(b.practitioner_ids.overlap(list(practitioner_ids)))
    if location_id is not None:
        where.append(b.location_id == location_id)
    if between is not None:
        where += [b.end_at > between[0], b.start_at < between[1]]
    query = select(
        b.appointment_id,
        b.practitioner_ids,
        b.location_id,
        b.appointment_type_id,
        b.start_at,
        b.end_at,
    ).where(*where)
    return [
        BookedAppointment(
            r.appointment_id,
            tuple(r.practitioner_ids),
            r.location_id,
            r.appointment_type_id,
            r.start_at,
            r.end_at,
        )
        for r in await session.execute(query.order_by(b.start_at))
    ]


async def mark_outside_hours(
    session: AsyncSession,
    tenant_id: UUID,
    affected: Sequence[Affected],
    cause: OutsideHoursCause,
    rule_id: UUID | None,
    marked_by: UUID,
) -> None:
    """Mark each appointment at its current times; a newer mark replaces an older one."""
    values = [
        {
            "tenant_id": tenant_id,
            "appointment_id": a.appointment.appointment_id,
            "start_at": a.appointment.start,
            "end_at": a.appointment.end,
            "cause": cause.value,
            "rule_id": rule_id,
            "marked_by": marked_by,
        }
        for a in affected
    ]
    query = upsert(outside_hours_marks).values(values)
    columns = ("start_at", "end_at", "cause", "rule_id", "marked_by")
    replace: dict[str, Any] = {c: query.excluded[c] for c in columns}
    replace["marked_at"] = func.now()
    await session.execute(
        query.on_conflict_do_update(index_elements=["tenant_id", "appointment_id"], set_=replace)
    )
