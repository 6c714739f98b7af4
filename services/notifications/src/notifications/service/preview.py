"""Template variables for a real appointment of the tenant (the preview endpoint)."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_platform.errors import NotFound
from notifications.domain.model import Contact
from notifications.service.compose import variables_for
from notifications.store import lookups
from notifications.store import settings as settings_store


async def preview_variables(
    session: AsyncSession, appointment_id: UUID, language: str
) -> dict[str, object]:
    """What a message about the appointment would show, as it stands now."""
    appointment = await lookups.appointment(session, appointment_id)
    if appointment is None:
        raise NotFound(f"no appointment {appointment_id} known here", field="appointment_id")
    patient = await lookups.contact(session, appointment["patient_id"])
    ctx = {
        "status": appointment["status"],
        "start": appointment["start_at"].isoformat(),
        "end": appointment["end_at"].isoformat(),
        "practitioner_id": str(appointment["practitioner_id"]),
        "location_id": str(appointment["location_id"]),
        "appointment_type_id": str(appointment["appointment_type_id"]),
        "previous_start": appointment["start_at"].isoformat(),
        "offset_minutes": 24 * 60,
    }
    tenant = await settings_store.tenant(session, appointment["tenant_id"])
    contact = patient if isinstance(patient, Contact) else None
    return await variables_for(session, ctx, appointment_id, contact, language, tenant)
