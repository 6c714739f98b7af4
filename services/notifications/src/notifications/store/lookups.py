"""Reads of the replicas a message is composed from (in the delivery's tenant transaction)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import RowMapping, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.model import Contact
from notifications.store.tables import (
    appointment_types,
    appointments,
    locations,
    patients,
    practitioners,
)


async def _row(session: AsyncSession, table: Table, entity_id: UUID) -> RowMapping | None:
    return (await session.execute(select(table).where(table.c.id == entity_id))).mappings().first()


class Missing:
    """Marker: the replica has not seen this patient yet."""


class Erased:
    """Marker: the patient was erased."""


MISSING, ERASED = Missing(), Erased()


async def contact(session: AsyncSession, patient_id: UUID) -> Contact | Missing | Erased:
    """The patient's contact, or why there is none."""
    row = await _row(session, patients, patient_id)
    if row is None:
        return MISSING
    if row["erased"]:
        return ERASED
    return Contact(
        name=row["name"],
        preferred_language=row["preferred_language"],
        preferred_channel=row["preferred_channel"],
        email=row["email"],
        phone=row["phone"],
        line_user_id=row["line_user_id"],
        timezone=row["timezone"],
    )


async def location(session: AsyncSession, location_id: UUID) -> RowMapping | None:
    """A location's name, address and zone (None if not replicated yet)."""
    row = await _row(session, locations, location_id)
    return row if row is not None and row["timezone"] is not None else None


async def name_of(session: AsyncSession, table: Table, column: str, entity_id: UUID) -> str | None:
    """A practitioner's or appointment type's printed name, if replicated."""
    row = await _row(session, table, entity_id)
    return None if row is None else row[column]


async def practitioner_name(session: AsyncSession, practitioner_id: UUID) -> str | None:
    """A practitioner's display name, if replicated."""
    return await name_of(session, practitioners, "display_name", practitioner_id)


async def type_name(session: AsyncSession, type_id: UUID) -> str | None:
    """An appointment type's name, if replicated."""
    return await name_of(session, appointment_types, "name", type_id)


async def appointment(session: AsyncSession, appointment_id: UUID) -> RowMapping | None:
    """The appointment's replicated state."""
    return await _row(session, appointments, appointment_id)
