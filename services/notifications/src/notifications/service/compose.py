"""Composing a planned delivery: recipient's channel and language, template, local times."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.channels import choose_channel
from notifications.domain.formatting import (
    format_instant,
    format_lead_time,
    resolve_language,
    same_offset,
)
from notifications.domain.model import Channel, Contact, DeliveryState, Kind, RecipientKind
from notifications.domain.templates import (
    InvalidTemplate,
    Rendered,
    Template,
    default_template,
    render,
)
from notifications.store import lookups
from notifications.store import settings as settings_store

log = logging.getLogger(__name__)
UNKNOWN = "—"


@dataclass(frozen=True)
class Composed:
    """The message, ready to send."""

    channel: Channel
    address: str
    language: str
    rendered: Rendered


@dataclass(frozen=True)
class Wait:
    """A replica it needs has not arrived yet; try again shortly."""

    reason: str


@dataclass(frozen=True)
class Drop:
    """It can never be sent: failed (kept for inspection) or withdrawn."""

    state: DeliveryState
    reason: str


async def compose(
    session: AsyncSession, delivery: Mapping[str, Any], available: frozenset[Channel], now: datetime
) -> Composed | Wait | Drop:
    """Resolve recipient, channel, language and text of `delivery` from the replicas."""
    ctx: dict[str, Any] = delivery["context"]
    patient = await lookups.contact(session, UUID(ctx["patient_id"]))
    late = now >= delivery["resolve_by"]
    if delivery["recipient_kind"] == RecipientKind.PATIENT:
        if patient is lookups.ERASED:
            return Drop(DeliveryState.WITHDRAWN, "patient erased")
        if not isinstance(patient, Contact):
            return (
                Drop(DeliveryState.FAILED, "no contact: patient unknown")
                if late
                else Wait("patient not replicated yet")
            )
    location = await lookups.location(session, UUID(ctx["location_id"]))
    practitioner = await lookups.practitioner_name(session, UUID(ctx["practitioner_id"]))
    kind_name = await lookups.type_name(session, UUID(ctx["appointment_type_id"]))
    if None in (location, practitioner, kind_name) and not late:
        return Wait("catalog not replicated yet")
    tenant = await settings_store.tenant(session, delivery["tenant_id"])
    contact = patient if isinstance(patient, Contact) else None
    if delivery["recipient_kind"] == RecipientKind.PATIENT and contact is not None:
        language = resolve_language(contact.preferred_language)
        fallback = [Channel(c) for c in tenant["fallback_channels"]]
        chosen = choose_channel(contact, available - {Channel.WEBHOOK}, fallback)
        if chosen is None:
            return Drop(
                DeliveryState.FAILED, "no usable channel: no address on any offered channel"
            )
        channel, address = chosen
    else:
        language = resolve_language(delivery["language"])
        channel, address = Channel(delivery["channel"]), delivery["recipient_address"]
    variables = variables_of(
        ctx,
        delivery["appointment_id"],
        contact,
        language,
        tenant,
        location=location,
        practitioner=practitioner,
        kind_name=kind_name,
    )
    kind = Kind(delivery["kind"])
    template = await template_for(session, kind, channel, language)
    try:
        rendered = render(template, variables, channel=channel, language=language)
    except InvalidTemplate as exc:  # an override saved before a variable was dropped
        log.warning(
            "tenant template %s/%s/%s failed (%s); default used", kind, channel, language, exc
        )
        rendered = render(
            default_template(kind, channel, language), variables, channel=channel, language=language
        )
    return Composed(channel, address, language, rendered)


async def variables_for(
    session: AsyncSession,
    ctx: Mapping[str, Any],
    appointment_id: UUID | None,
    contact: Contact | None,
    language: str,
    tenant: Mapping[str, Any],
) -> dict[str, object]:
    """The template variables of a message about the appointment described by `ctx`."""
    return variables_of(
        ctx,
        appointment_id,
        contact,
        language,
        tenant,
        location=await lookups.location(session, UUID(ctx["location_id"])),
        practitioner=await lookups.practitioner_name(session, UUID(ctx["practitioner_id"])),
        kind_name=await lookups.type_name(session, UUID(ctx["appointment_type_id"])),
    )


def variables_of(
    ctx: Mapping[str, Any],
    appointment_id: UUID | None,
    contact: Contact | None,
    language: str,
    tenant: Mapping[str, Any],
    *,
    location: RowMapping | None,
    practitioner: str | None,
    kind_name: str | None,
) -> dict[str, object]:
    """The template variables, from replica rows already read (None: not replicated)."""
    return {
        **times(ctx, location["timezone"] if location else "UTC", contact, language),
        "patient_name": contact.name if contact else UNKNOWN,
        "practitioner_name": practitioner or UNKNOWN,
        "location_name": location["name"] if location else UNKNOWN,
        "location_address": location["address"] if location else "",
        "appointment_type_name": kind_name or UNKNOWN,
        "status": ctx["status"],
        "reason": ctx.get("reason") or "",
        "cancelled_by": ctx.get("cancelled_by") or "",
        "decided_by": ctx.get("decided_by") or "",
        "rebook_url": tenant["rebook_url"],
        "lead_time": format_lead_time(ctx.get("offset_minutes") or 0, language),
        "appointment_id": str(appointment_id),
    }


def times(
    ctx: Mapping[str, Any], zone: str, contact: Contact | None, language: str
) -> dict[str, str | None]:
    """The appointment's times in the location's zone, and the patient's when it differs."""
    start = datetime.fromisoformat(ctx["start"])
    own = contact.timezone if contact else None
    previous = ctx.get("previous_start")
    return {
        "start": format_instant(start, zone, language),
        "end": format_instant(datetime.fromisoformat(ctx["end"]), zone, language),
        "start_patient": (
            format_instant(start, own, language)
            if own and not same_offset(start, zone, own)
            else None
        ),
        "previous_start": (
            format_instant(datetime.fromisoformat(previous), zone, language) if previous else None
        ),
    }


async def template_for(
    session: AsyncSession, kind: Kind, channel: Channel, language: str
) -> Template:
    """The tenant's override of (kind, channel, language), else the built-in one."""
    row = await settings_store.template(session, kind.value, channel.value, language)
    if row is None:
        return default_template(kind, channel, language)
    return Template(text=row["text"], subject=row["subject"], html=row["html"])
