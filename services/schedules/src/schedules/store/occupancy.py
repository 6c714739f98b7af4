"""The occupancy projection: one fact row per appointment, and the reads the analytics API makes.

Derived from `booking.appointments.v1` only and never written back: a rebuild replays the topic.
A row holds the appointment as its latest event left it (last writer wins by `event_time`, like
the replicas), so a reschedule moves the one row and nothing is ever counted twice. Cancelled and
declined rows stay, so that a stale "booked" arriving late cannot bring them back.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.domain.occupancy import BOOKED_STATUSES, AppointmentFact, OccupancyInputs
from schedules.store.rules import load_rules, location_zones, utc_reach
from schedules.store.tables import metadata, practitioners

occupancy_facts = Table(
    "occupancy_facts",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("appointment_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),  # the contract's AppointmentStatus, as last seen
    Column("practitioner_ids", ARRAY(Uuid), nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("appointment_type_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("event_time", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "appointment_id", name="pk_occupancy_facts"),
    CheckConstraint("end_at > start_at", name="ck_occupancy_facts_ordered"),
)

# "Appointments of the tenant in a time range" (GiST, tenant first; btree_gist is in 0001) and
# "… of practitioner P" (GIN on the array).
Index(
    "ix_occupancy_facts_time",
    occupancy_facts.c.tenant_id,
    func.tstzrange(occupancy_facts.c.start_at, occupancy_facts.c.end_at),
    postgresql_using="gist",
)
Index(
    "ix_occupancy_facts_practitioners", occupancy_facts.c.practitioner_ids, postgresql_using="gin"
)


async def appointment_facts(
    session: AsyncSession,
    first: date,
    last: date,
    *,
    practitioner_id: UUID | None = None,
    location_id: UUID | None = None,
) -> list[AppointmentFact]:
    """Booked appointments that may touch local dates `first..last`, one fact per practitioner."""
    table = occupancy_facts
    low, high = utc_reach(first, last)
    query = select(
        table.c.practitioner_ids,
        table.c.location_id,
        table.c.start_at,
        table.c.end_at,
        table.c.status,
    ).where(
        table.c.status.in_(sorted(BOOKED_STATUSES)),
        func.tstzrange(table.c.start_at, table.c.end_at).op("&&")(func.tstzrange(low, high)),
    )
    if practitioner_id is not None:
        query = query.where(table.c.practitioner_ids.contains([practitioner_id]))
    if location_id is not None:
        query = query.where(table.c.location_id == location_id)
    return [
        AppointmentFact(who, row.location_id, row.start_at, row.end_at, row.status)
        for row in await session.execute(query)
        for who in row.practitioner_ids
        if practitioner_id in (None, who)
    ]


async def occupancy_inputs(
    session: AsyncSession,
    first: date,
    last: date,
    *,
    practitioner_id: UUID | None = None,
    location_id: UUID | None = None,
) -> OccupancyInputs:
    """Facts, rules of the practitioners concerned, and zones of locations without rules."""
    facts = await appointment_facts(
        session, first, last, practitioner_id=practitioner_id, location_id=location_id
    )
    if practitioner_id is not None:
        concerned: Collection[UUID] = [practitioner_id]
    else:
        listed = await session.execute(
            select(practitioners.c.id).where(practitioners.c.retired.is_(False))
        )
        concerned = set(listed.scalars()) | {fact.practitioner_id for fact in facts}
    rules = await load_rules(session, concerned, first, last, location_id=location_id)
    ruled = {location for _, location in rules}
    zones = await location_zones(session, {f.location_id for f in facts} - ruled)
    return OccupancyInputs(facts, rules, zones)
