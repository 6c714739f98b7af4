"""Staff resend a finished delivery: a new delivery with the same recipient and context."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_platform.errors import Conflict, NotFound
from notifications.domain.model import DeliveryState, Kind, RecipientKind
from notifications.service.planning import RESOLVE_WITHIN
from notifications.store import deliveries

FINISHED = (DeliveryState.SENT.value, DeliveryState.FAILED.value)


async def resend(
    session: AsyncSession, delivery_id: UUID, requested_by: str, idempotency_key: str | None
) -> RowMapping:
    """Plan the resend of `delivery_id`; the same key gives back the same resend."""
    original = await deliveries.get(session, delivery_id)
    if original is None:
        raise NotFound(f"no delivery {delivery_id}", field="delivery_id")
    if original["state"] not in FINISHED:
        raise Conflict(
            f"delivery {delivery_id} is {original['state']}; only sent or failed ones are resent",
            code="delivery_not_finished",
        )
    now = datetime.now(UTC)
    if original["not_after"] is not None and now >= original["not_after"]:
        raise Conflict("the appointment has started; its reminder is moot", code="too_late")
    patient = original["recipient_kind"] == RecipientKind.PATIENT
    key = f"resend/{delivery_id}/{idempotency_key or uuid4()}"
    await deliveries.add(
        session,
        tenant_id=original["tenant_id"],
        delivery_key=key,
        event_id=original["event_id"],
        appointment_id=original["appointment_id"],
        recipient_kind=original["recipient_kind"],
        recipient_id=original["recipient_id"],
        # A patient's contact may have been corrected since: choose channel and address anew.
        recipient_address=None if patient else original["recipient_address"],
        channel=None if patient else original["channel"],
        language=None if patient else original["language"],
        body_text=original["body_text"] if original["kind"] == Kind.WEBHOOK else None,
        kind=original["kind"],
        context=original["context"],
        resolve_by=now + RESOLVE_WITHIN,
        not_after=original["not_after"],
        resend_of=delivery_id,
        requested_by=requested_by,
    )
    created = await deliveries.by_key(session, key)
    assert created is not None
    return created
