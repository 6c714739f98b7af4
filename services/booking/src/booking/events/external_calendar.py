"""An appointment deleted in a practitioner's own calendar is cancelled by the clinic."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.appointments import OCCUPYING, Action, next_status
from booking.service.counters import count_appointment
from booking.service.events import appointment_event, subject
from booking.store import appointments as store
from booking.store.audit import append_audit
from clinic_contracts import AppointmentCancelled, AppointmentDeletedExternally, CancelledBy
from clinic_platform.auth import Principal
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.outbox import OutboxWriter

REASON = "deleted in the practitioner's external calendar"
OUTBOX = OutboxWriter("booking")  # stateless: it only stamps the source on what it stages


async def cancel_deleted_externally(session: AsyncSession, event: ReceivedEvent) -> None:
    """Cancel it (by the clinic, with that reason); nothing to do if it is no longer active."""
    payload = event.payload
    assert isinstance(payload, AppointmentDeletedExternally)
    before = await store.get(session, payload.appointment_id, lock=True)
    if before is None or before.status not in OCCUPYING:
        return
    status = next_status(before.status, Action.CANCEL)
    after = await store.change(
        session,
        before.id,
        status=status.value,
        cancelled_by=CancelledBy.CLINIC.value,
        reason=REASON,
    )
    await store.vacate(session, before.id)
    # The inbox transaction is also this change's transaction: the event joins it via the outbox.
    await OUTBOX.publish(
        session,
        appointment_event(
            AppointmentCancelled, after, cancelled_by=CancelledBy.CLINIC, reason=REASON
        ),
        tenant_id=after.tenant_id,
        subject=subject(after),
    )
    count_appointment(session, Action.CANCEL)
    actor = Principal(
        f"system:calendar-sync:{payload.external_event_id}", after.tenant_id, frozenset({"service"})
    )
    await append_audit(
        session,
        actor,
        entity_type="appointment",
        entity_id=after.id,
        action="cancelled",
        before={"status": before.status.value},
        after={"status": after.status.value},
        reason=REASON,
    )
