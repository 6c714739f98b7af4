"""Appointments and their occupations: reads, writes, and the database's overlap guarantee."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from psycopg.errors import ExclusionViolation
from sqlalchemy import Row, and_, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import Range
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.occupation import Interval, Resource
from booking.store.tables.appointments import appointments, occupations
from clinic_contracts import AppointmentStatus


@dataclass(frozen=True)
class AppointmentRecord:
    """One row of `appointments`."""

    id: UUID
    tenant_id: UUID
    status: AppointmentStatus
    appointment_type_id: UUID
    location_id: UUID
    patient_id: UUID | None
    practitioner_ids: list[UUID]
    room_id: UUID | None
    equipment_ids: list[UUID]
    start_at: datetime
    end_at: datetime
    buffer_before_minutes: int
    buffer_after_minutes: int
    expires_at: datetime | None
    hold_id: UUID | None
    series_id: UUID | None
    series_index: int | None
    reschedule_count: int
    outside_hours: bool
    hours_decided_by: str | None
    cancelled_by: str | None
    reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Row[Any]) -> AppointmentRecord:
        """Build from a selected row."""
        values = {f.name: getattr(row, f.name) for f in fields(cls)}
        values["status"] = AppointmentStatus(values["status"])
        return cls(**values)


class SlotTaken(Exception):
    """An active occupation of one of the resources already overlaps the period."""

    def __init__(self, resource: Resource) -> None:
        super().__init__(f"{resource.kind} {resource.id} is already booked then")
        self.resource = resource


async def get(
    session: AsyncSession, appointment_id: UUID, *, lock: bool = False
) -> AppointmentRecord | None:
    """One appointment or hold; `lock` holds its row until the transaction ends."""
    query = select(appointments).where(appointments.c.id == appointment_id)
    row = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
    return AppointmentRecord.of(row) if row else None


async def add(session: AsyncSession, **values: object) -> AppointmentRecord:
    """Insert an appointment or hold and return it."""
    row = (
        await session.execute(insert(appointments).values(**values).returning(appointments))
    ).one()
    return AppointmentRecord.of(row)


async def change(
    session: AsyncSession, appointment_id: UUID, **values: object
) -> AppointmentRecord:
    """Update an appointment and return its new state."""
    row = (
        await session.execute(
            update(appointments)
            .where(appointments.c.id == appointment_id)
            .values(**values, updated_at=func.now())
            .returning(appointments)
        )
    ).one()
    return AppointmentRecord.of(row)


async def occupy(
    session: AsyncSession,
    tenant_id: UUID,
    appointment_id: UUID,
    resources: Sequence[Resource],
    period: Interval,
    expires_at: datetime | None,
) -> None:
    """Occupy every resource over `period`, or raise SlotTaken; the exclusion constraint decides."""
    await _release_lapsed_holds(session, [r.id for r in resources], period)
    row: dict[str, object] = {
        "tenant_id": tenant_id,
        "appointment_id": appointment_id,
        "expires_at": expires_at,
        "period": Range(period.start, period.end, bounds="[)"),
    }
    single = [r for r in resources if r.capacity == 1]
    if single:
        # One statement, no savepoint: a violation fails the whole request anyway (a 409).
        try:
            await session.execute(
                insert(occupations),
                [
                    {**row, "resource_kind": r.kind.value, "resource_id": r.id, "seat": 1}
                    for r in single
                ],
            )
        except IntegrityError as exc:
            if not isinstance(exc.orig, ExclusionViolation):
                raise
            raise SlotTaken(_conflicting(single, exc.orig)) from None
    for resource in (r for r in resources if r.capacity > 1):
        await _take_a_seat(session, row, resource)


def _conflicting(resources: Sequence[Resource], error: ExclusionViolation) -> Resource:
    # The violation's detail names the conflicting key, resource id included.
    detail = error.diag.message_detail or ""
    return next((r for r in resources if str(r.id) in detail), resources[0])


async def _take_a_seat(session: AsyncSession, row: dict[str, object], resource: Resource) -> None:
    # A room of capacity N has N seats; try each in a savepoint until one is free.
    for seat in range(1, resource.capacity + 1):
        try:
            async with session.begin_nested():
                await session.execute(
                    insert(occupations).values(
                        **row, resource_kind=resource.kind.value, resource_id=resource.id, seat=seat
                    )
                )
            return
        except IntegrityError as exc:
            if not isinstance(exc.orig, ExclusionViolation):
                raise
    raise SlotTaken(resource)


async def _release_lapsed_holds(
    session: AsyncSession, resource_ids: list[UUID], period: Interval
) -> None:
    # An expired hold must never block, even before the sweeper has run: lapse it here, in the
    # same transaction as the insert that needs its place.
    await session.execute(
        update(occupations)
        .where(
            occupations.c.active,
            occupations.c.expires_at <= func.now(),
            occupations.c.resource_id.in_(resource_ids),
            occupations.c.period.overlaps(Range(period.start, period.end, bounds="[)")),
        )
        .values(active=False)
    )


async def vacate(session: AsyncSession, appointment_id: UUID) -> None:
    """Free every resource the appointment occupies."""
    await session.execute(
        update(occupations)
        .where(occupations.c.appointment_id == appointment_id)
        .values(active=False)
    )


async def confirm_occupations(session: AsyncSession, appointment_id: UUID) -> None:
    """A hold became a booking: its occupations no longer lapse."""
    await session.execute(
        update(occupations)
        .where(occupations.c.appointment_id == appointment_id, occupations.c.active)
        .values(expires_at=None)
    )


async def lapsed_holds(session: AsyncSession, limit: int = 200) -> list[AppointmentRecord]:
    """Holds past their expiry that are still marked held (for the sweeper)."""
    rows = await session.execute(
        select(appointments)
        .where(
            appointments.c.status == AppointmentStatus.HELD.value,
            appointments.c.expires_at <= func.now(),
        )
        .order_by(appointments.c.expires_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return [AppointmentRecord.of(r) for r in rows]


async def page(
    session: AsyncSession,
    *,
    start_from: datetime,
    start_to: datetime,
    patient_id: UUID | None,
    practitioner_id: UUID | None,
    visible_to: Any,
    after: tuple[datetime, UUID] | None,
    limit: int,
) -> list[AppointmentRecord]:
    """Appointments starting in [start_from, start_to), ordered by (start, id), after a cursor."""
    c = appointments.c
    query = select(appointments).where(
        c.start_at >= start_from, c.start_at < start_to, c.status != AppointmentStatus.HELD.value
    )
    if patient_id is not None:
        query = query.where(c.patient_id == patient_id)
    if practitioner_id is not None:
        query = query.where(c.practitioner_ids.any_() == practitioner_id)
    if visible_to is not None:
        query = query.where(visible_to)
    if after is not None:
        query = query.where(
            or_(c.start_at > after[0], and_(c.start_at == after[0], c.id > after[1]))
        )
    rows = await session.execute(query.order_by(c.start_at, c.id).limit(limit))
    return [AppointmentRecord.of(r) for r in rows]
