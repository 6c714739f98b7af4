"""From an appointment event to planned deliveries and a moved or withdrawn reminder plan.

Runs inside the event's inbox transaction: the replica change, the planned deliveries and the
reminders commit together with the inbox row, so a redelivered event plans nothing twice.
Addresses and texts are resolved later by the dispatcher, once the replicas have caught up.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import (
    AppointmentCancelled,
    AppointmentDeclined,
    AppointmentEvent,
    AppointmentFlaggedOutsideHours,
    AppointmentRescheduled,
)
from clinic_platform.inbox import ReceivedEvent
from notifications.domain.model import Channel, Kind, RecipientKind
from notifications.domain.reactions import ReminderAction, reaction
from notifications.domain.reminders import plan_reminders
from notifications.store import deliveries
from notifications.store import reminders as reminder_store
from notifications.store import settings as settings_store

# Older events are history being replayed (a rebuilt replica): they update state, tell nobody.
MAX_EVENT_AGE = timedelta(hours=24)
# How long a delivery waits for the patient's or the catalog's replica to arrive.
RESOLVE_WITHIN = timedelta(minutes=10)


def staff_recipient_id(email: str) -> UUID:
    """A stable id for a staff address (the delivery topic is keyed by recipient id)."""
    return uuid5(NAMESPACE_URL, f"mailto:{email.lower()}")


def context_of(payload: AppointmentEvent, event_type: str) -> dict[str, Any]:
    """What a message about this event needs besides the replicas (ids, times, reasons)."""
    context: dict[str, Any] = {
        "event_type": event_type,
        "status": payload.status.value,
        "start": payload.start.isoformat(),
        "end": payload.end.isoformat(),
        "patient_id": str(payload.patient_id),
        "practitioner_id": str(payload.practitioner_id),
        "location_id": str(payload.location_id),
        "appointment_type_id": str(payload.appointment_type_id),
    }
    if isinstance(payload, AppointmentRescheduled):
        context["previous_start"] = payload.previous_start.isoformat()
    if isinstance(payload, AppointmentCancelled):
        context |= {"reason": payload.reason, "cancelled_by": payload.cancelled_by.value}
    if isinstance(payload, AppointmentDeclined):
        context["reason"] = payload.reason
    if isinstance(payload, AppointmentFlaggedOutsideHours):
        context["decided_by"] = payload.decided_by.value
    return context


async def react(session: AsyncSession, event: ReceivedEvent, payload: AppointmentEvent) -> int:
    """Plan the event's deliveries and reminders; returns how many deliveries were planned."""
    env = event.envelope
    now = datetime.now(UTC)
    found = reaction(payload, env.time, now, MAX_EVENT_AGE)
    tenant = await settings_store.tenant(session, env.tenantid)
    if found.reminders is ReminderAction.PLAN:
        planned = plan_reminders(payload.start, tenant["reminder_offsets_minutes"], now)
        await reminder_store.replan(
            session, env.tenantid, payload.appointment_id, payload.start, planned
        )
    elif found.reminders is ReminderAction.WITHDRAW:
        await reminder_store.withdraw(session, payload.appointment_id)
        await deliveries.withdraw_pending(
            session, payload.appointment_id, Kind.REMINDER, f"appointment {payload.status}"
        )
    context = context_of(payload, env.type)
    common: dict[str, Any] = {
        "tenant_id": env.tenantid,
        "event_id": env.id,
        "appointment_id": payload.appointment_id,
        "context": context,
        "resolve_by": now + RESOLVE_WITHIN,
    }
    planned_count = 0
    for recipient_kind, kind in found.messages:
        for recipient in await _recipients(session, recipient_kind, kind, payload, tenant):
            key = f"{env.id}/{recipient_kind}/{recipient['recipient_id']}"
            added = await deliveries.add(
                session,
                delivery_key=key,
                recipient_kind=recipient_kind.value,
                kind=kind.value,
                **common,
                **recipient,
            )
            planned_count += added is not None
    if tenant["webhook_url"] and found.messages:
        planned_count += await _webhook(session, event, payload, tenant["webhook_url"], common)
    return planned_count


async def _recipients(
    session: AsyncSession,
    recipient_kind: RecipientKind,
    kind: Kind,
    payload: AppointmentEvent,
    tenant: dict[str, Any],
) -> list[dict[str, Any]]:
    if recipient_kind is RecipientKind.PATIENT:
        return [{"recipient_id": payload.patient_id}]  # channel and address chosen when sent
    if recipient_kind is RecipientKind.STAFF:
        return [
            {
                "recipient_id": staff_recipient_id(email),
                "recipient_address": email,
                "channel": Channel.EMAIL.value,
                "language": tenant["staff_language"],
            }
            for email in tenant["staff_emails"]
        ]
    prefs = await settings_store.preferences(session, payload.practitioner_id)
    wanted = prefs is not None and (
        prefs["notify_booked"] if kind is Kind.PRACTITIONER_BOOKED else prefs["notify_cancelled"]
    )
    if not wanted or prefs is None:
        return []
    return [
        {
            "recipient_id": payload.practitioner_id,
            "recipient_address": prefs["email"],
            "channel": Channel.EMAIL.value,
            "language": prefs["language"],
        }
    ]


async def _webhook(
    session: AsyncSession,
    event: ReceivedEvent,
    payload: AppointmentEvent,
    url: str,
    common: dict[str, Any],
) -> int:
    env = event.envelope
    body = {
        "id": env.id,
        "type": env.type,
        "time": env.time.isoformat(),
        "tenant_id": str(env.tenantid),
        "data": payload.model_dump(mode="json"),
    }
    added = await deliveries.add(
        session,
        delivery_key=f"{env.id}/{RecipientKind.INTEGRATION}/{url}",
        recipient_kind=RecipientKind.INTEGRATION.value,
        recipient_id=uuid5(NAMESPACE_URL, url),
        recipient_address=url,
        kind=Kind.WEBHOOK.value,
        channel=Channel.WEBHOOK.value,
        language="en",
        body_text=json.dumps(body, separators=(",", ":")),
        **common,
    )
    return int(added is not None)
