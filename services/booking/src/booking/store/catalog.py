"""Repositories of the catalog and patients: plain functions over a session; they never commit.

Reads return frozen domain entities. Retired catalog entities are still returned by `get_…`
(appointments keep pointing at them): check `.retired` before booking. Erased patients are
never returned.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.catalog import AppointmentType, Equipment, Location, Practitioner, Room
from booking.domain.patients import PII_FIELDS, Patient
from booking.store.entities import Kind, Link, get, mark_gone
from booking.store.tables import catalog as t
from clinic_contracts.events.patients import TOPIC as PATIENTS_TOPIC
from clinic_contracts.events.patients import PatientUpserted
from clinic_platform.store.platform_tables import outbox

LOCATIONS = Kind("location", t.locations, Location)
PRACTITIONERS = Kind(
    "practitioner",
    t.practitioners,
    Practitioner,
    (Link(t.practitioner_locations, "practitioner_id", "location_id", "location_ids"),),
)
ROOMS = Kind("room", t.rooms, Room)
EQUIPMENT = Kind("equipment", t.equipment, Equipment)
APPOINTMENT_TYPES = Kind(
    "appointment_type",
    t.appointment_types,
    AppointmentType,
    (
        Link(
            t.appointment_type_equipment,
            "appointment_type_id",
            "equipment_id",
            "required_equipment_ids",
        ),
    ),
)
PATIENTS = Kind("patient", t.patients, Patient, gone="erased_at", show_gone=False)


async def get_location(session: AsyncSession, location_id: UUID) -> Location | None:
    """A location (its `timezone` is where its rule times apply), retired ones included."""
    return await get(session, LOCATIONS, location_id)


async def get_practitioner(session: AsyncSession, practitioner_id: UUID) -> Practitioner | None:
    """A practitioner with `status` and `location_ids`, retired ones included."""
    return await get(session, PRACTITIONERS, practitioner_id)


async def get_appointment_type(
    session: AsyncSession, appointment_type_id: UUID
) -> AppointmentType | None:
    """An appointment type with its policies and resources, retired ones included."""
    return await get(session, APPOINTMENT_TYPES, appointment_type_id)


async def get_room(session: AsyncSession, room_id: UUID) -> Room | None:
    """A room with `capacity`, `location_id` and `virtual`, retired ones included."""
    return await get(session, ROOMS, room_id)


async def get_equipment(session: AsyncSession, equipment_id: UUID) -> Equipment | None:
    """A piece of equipment with its `location_id`, retired ones included."""
    return await get(session, EQUIPMENT, equipment_id)


async def get_patient(session: AsyncSession, patient_id: UUID) -> Patient | None:
    """A patient, or None when unknown or erased."""
    return await get(session, PATIENTS, patient_id)


async def erase_patient(session: AsyncSession, patient_id: UUID) -> datetime:
    """Scrub the patient's PII and set `erased_at`; drop unsent or sent PII events from the
    outbox, since the erasure event that follows supersedes them; returns `erased_at`."""
    erased_at = await mark_gone(session, PATIENTS, patient_id, **dict.fromkeys(PII_FIELDS))
    await session.execute(
        delete(outbox).where(
            outbox.c.topic == PATIENTS_TOPIC,
            outbox.c.message_key == str(patient_id),
            outbox.c.event_type == PatientUpserted.event_type,
        )
    )
    return erased_at
