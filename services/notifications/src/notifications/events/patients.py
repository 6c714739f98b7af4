"""Replica of patients' contact details and preferences (`booking.patients.v1`, PII).

An erasure leaves a tombstone without any personal data, scrubs this patient's addresses and
texts from the delivery log and withdraws what was not sent yet.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import PatientErased, PatientUpserted
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import bury, upsert_latest
from notifications.store import deliveries
from notifications.store.tables import patients

PII = (
    "name",
    "email",
    "phone",
    "line_user_id",
    "preferred_language",
    "preferred_channel",
    "timezone",
)


async def on_patient_upserted(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, PatientUpserted)
    await upsert_latest(
        session,
        patients,
        event,
        tombstone="erased",
        id=payload.patient_id,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        line_user_id=payload.line_user_id,
        preferred_language=payload.preferred_language,
        preferred_channel=payload.preferred_channel.value,
        timezone=payload.timezone,
    )


async def on_patient_erased(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, PatientErased)
    await bury(session, patients, event, payload.patient_id, flag="erased", cleared=PII)
    await deliveries.erase_recipient(session, payload.patient_id)
