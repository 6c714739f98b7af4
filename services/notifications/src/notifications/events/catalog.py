"""Replica of the catalog names and zones this service prints (`booking.catalog.v1`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import (
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    LocationRetired,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
)
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import bury, upsert_latest
from notifications.store.tables import appointment_types, locations, practitioners

# A retired entry keeps its name: messages about its past appointments still print it.
_KEEP: tuple[str, ...] = ()


async def on_location_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, LocationUpserted)
    await upsert_latest(
        session,
        locations,
        event,
        tombstone="retired",
        id=payload.location_id,
        name=payload.name,
        address=payload.address,
        timezone=str(payload.timezone),
    )


async def on_location_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, LocationRetired)
    await bury(session, locations, event, payload.location_id, flag="retired", cleared=_KEEP)


async def on_practitioner_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, PractitionerUpserted)
    await upsert_latest(
        session,
        practitioners,
        event,
        tombstone="retired",
        id=payload.practitioner_id,
        display_name=payload.display_name,
    )


async def on_practitioner_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, PractitionerRetired)
    await bury(
        session, practitioners, event, payload.practitioner_id, flag="retired", cleared=_KEEP
    )


async def on_appointment_type_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, AppointmentTypeUpserted)
    await upsert_latest(
        session,
        appointment_types,
        event,
        tombstone="retired",
        id=payload.appointment_type_id,
        name=payload.name,
    )


async def on_appointment_type_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, AppointmentTypeRetired)
    await bury(
        session,
        appointment_types,
        event,
        payload.appointment_type_id,
        flag="retired",
        cleared=_KEEP,
    )
