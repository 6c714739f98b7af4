"""The delivery log of an appointment, its reminders, and resending a delivery by staff."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, status
from pydantic import BaseModel

from clinic_platform.errors import NotFound
from clinic_platform.runtime import UnitOfWorkDep
from notifications.api.deps import DeliveriesReader, Resender
from notifications.service.resend import resend
from notifications.store import deliveries as store
from notifications.store import reminders as reminder_store

router = APIRouter(tags=["deliveries"])


class AttemptPublic(BaseModel):
    """One attempt: when, on which channel, and what the provider said."""

    attempt: int
    channel: str
    outcome: str
    detail: str | None
    at: datetime


class DeliveryPublic(BaseModel):
    """One delivery with its message (kept for inspection) and every attempt."""

    id: UUID
    appointment_id: UUID | None
    event_id: str
    kind: str
    recipient_kind: str
    recipient_id: UUID
    recipient_address: str | None
    channel: str | None
    language: str | None
    state: str
    attempts: int
    subject: str | None
    body_text: str | None
    body_html: str | None
    last_error: str | None
    resend_of: UUID | None
    requested_by: str | None
    created_at: datetime
    sent_at: datetime | None
    failed_at: datetime | None
    attempt_log: list[AttemptPublic] = []


class ReminderPublic(BaseModel):
    """One planned reminder of an appointment."""

    start_at: datetime
    offset_minutes: int
    due_at: datetime
    state: str


async def _with_attempts(uow: UnitOfWorkDep, rows: Any) -> list[DeliveryPublic]:
    attempts = await store.attempts_of(uow.session, [r["id"] for r in rows])
    out = []
    for row in rows:
        log = [AttemptPublic.model_validate(a) for a in attempts if a["delivery_id"] == row["id"]]
        out.append(DeliveryPublic.model_validate({**row, "attempt_log": log}))
    return out


@router.get("/appointments/{appointment_id}/deliveries")
async def appointment_deliveries(
    appointment_id: UUID, _: DeliveriesReader, uow: UnitOfWorkDep
) -> list[DeliveryPublic]:
    """Every notification about the appointment, oldest first (empty for an unknown id)."""
    async with uow:
        return await _with_attempts(uow, await store.of_appointment(uow.session, appointment_id))


@router.get("/appointments/{appointment_id}/reminders")
async def appointment_reminders(
    appointment_id: UUID, _: DeliveriesReader, uow: UnitOfWorkDep
) -> list[ReminderPublic]:
    """The appointment's reminder plan: scheduled, queued, withdrawn or missed."""
    async with uow:
        rows = await reminder_store.of_appointment(uow.session, appointment_id)
        return [ReminderPublic.model_validate(r) for r in rows]


@router.get("/deliveries/{delivery_id}")
async def get_delivery(
    delivery_id: UUID, _: DeliveriesReader, uow: UnitOfWorkDep
) -> DeliveryPublic:
    """One delivery with its attempts."""
    async with uow:
        row = await store.get(uow.session, delivery_id)
        if row is None:
            raise NotFound(f"no delivery {delivery_id}", field="delivery_id")
        return (await _with_attempts(uow, [row]))[0]


@router.post("/deliveries/{delivery_id}/resend", status_code=status.HTTP_202_ACCEPTED)
async def resend_delivery(
    delivery_id: UUID,
    actor: Resender,
    uow: UnitOfWorkDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> DeliveryPublic:
    """Send a finished delivery again as a new one (the patient's contact is looked up anew);
    the same Idempotency-Key returns the same resend."""
    async with uow:
        row = await resend(uow.session, delivery_id, actor.subject, idempotency_key)
        await uow.commit()
    return DeliveryPublic.model_validate(row)
