"""Appointment events: the replica of the appointment, then the reactions it calls for."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import AppointmentEvent
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import upsert_latest
from notifications.service.planning import react
from notifications.store.tables import appointments


async def on_appointment(session: AsyncSession, event: ReceivedEvent) -> None:
    """Apply the appointment's new state; an event older than the replica changes nothing."""
    payload = event.payload
    assert isinstance(payload, AppointmentEvent)
    newer = await upsert_latest(
        session,
        appointments,
        event,
        id=payload.appointment_id,
        patient_id=payload.patient_id,
        practitioner_id=payload.practitioner_id,
        location_id=payload.location_id,
        appointment_type_id=payload.appointment_type_id,
        start_at=payload.start,
        end_at=payload.end,
        status=payload.status.value,
    )
    if newer:
        await react(session, event, payload)
