"""Occupancy facts from `booking.appointments.v1`: each appointment event rewrites its row.

Every appointment event carries the whole appointment after the change, so the row simply
becomes it unless the row already reflects a later event: duplicates and stale events are no-ops,
and a reschedule moves the one row. Holds are not occupancy and never get a row.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import AppointmentEvent
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import upsert_latest
from schedules.store.occupancy import occupancy_facts


async def on_appointment(session: AsyncSession, event: ReceivedEvent) -> None:
    """Any appointment event: the fact row becomes the appointment it carries."""
    payload = event.payload
    assert isinstance(payload, AppointmentEvent)
    await upsert_latest(
        session,
        occupancy_facts,
        event,
        key="appointment_id",
        appointment_id=payload.appointment_id,
        status=payload.status.value,
        practitioner_ids=list(payload.practitioner_ids),
        location_id=payload.location_id,
        appointment_type_id=payload.appointment_type_id,
        start_at=payload.start,
        end_at=payload.end,
    )
