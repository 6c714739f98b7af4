"""Replicas of booking's catalog: locations, practitioners and appointment types."""

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
from schedules.store.tables import appointment_types, locations, practitioners


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
    )


async def on_appointment_type_retired(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, AppointmentTypeRetired)
    await bury(session, appointment_types, event, payload.appointment_type_id)
