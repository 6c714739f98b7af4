"""Replicas of booking's catalog: locations, practitioners, appointment types, and rooms and
equipment as far as they decide where a type can be booked."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import (
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    EquipmentRetired,
    EquipmentUpserted,
    LocationRetired,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
    RoomRetired,
    RoomUpserted,
)
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import bury, upsert_latest
from schedules.store.tables import appointment_types, equipment, locations, practitioners, rooms


async def on_location_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, LocationUpserted)
    await upsert_latest(
        session,
        locations,
        event,
        id=payload.location_id,
        name=payload.name,
        timezone=str(payload.timezone),
        active=payload.active,
    )


async def on_location_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, LocationRetired)
    await bury(session, locations, event, payload.location_id)


async def on_practitioner_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, PractitionerUpserted)
    await upsert_latest(
        session,
        practitioners,
        event,
        id=payload.practitioner_id,
        display_name=payload.display_name,
        status=payload.status.value,
        location_ids=list(payload.location_ids),
    )


async def on_practitioner_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, PractitionerRetired)
    await bury(session, practitioners, event, payload.practitioner_id)


async def on_appointment_type_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, AppointmentTypeUpserted)
    await upsert_latest(
        session,
        appointment_types,
        event,
        id=payload.appointment_type_id,
        duration_minutes=payload.duration_minutes,
        buffer_before_minutes=payload.buffer_before_minutes,
        buffer_after_minutes=payload.buffer_after_minutes,
        min_notice_minutes=payload.min_notice_minutes,
        max_future_days=payload.max_future_days,
        active=payload.active,
        default_room_id=payload.default_room_id,
        required_equipment_ids=list(payload.required_equipment_ids),
    )


async def on_appointment_type_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, AppointmentTypeRetired)
    await bury(session, appointment_types, event, payload.appointment_type_id)


async def on_room_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, RoomUpserted)
    await upsert_latest(session, rooms, event, id=payload.room_id, location_id=payload.location_id)


async def on_room_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, RoomRetired)
    await bury(session, rooms, event, payload.room_id)


async def on_equipment_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, EquipmentUpserted)
    await upsert_latest(
        session, equipment, event, id=payload.equipment_id, location_id=payload.location_id
    )


async def on_equipment_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, EquipmentRetired)
    await bury(session, equipment, event, payload.equipment_id)
