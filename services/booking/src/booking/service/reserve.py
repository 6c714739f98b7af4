"""Holding and booking: every rule checked, then the database takes the resources or refuses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from booking.domain.appointments import Action
from booking.domain.occupation import Resource, ResourceKind, blocked_interval, resources_of
from booking.domain.policies import check_booking_window
from booking.service.access import patient_to_book, patient_to_hold
from booking.service.catalog_view import Offer, load_offer
from booking.service.context import BookingContext
from booking.service.counters import count_appointment
from booking.service.events import appointment_event, held_event, subject
from booking.store import appointments as store
from booking.store.appointments import AppointmentRecord, SlotTaken
from booking.store.audit import append_audit
from clinic_contracts import (
    AppointmentBooked,
    AppointmentFlaggedOutsideHours,
    AppointmentStatus,
    OutsideHoursDecision,
)
from clinic_platform.auth import Permission
from clinic_platform.errors import Conflict, RuleViolation


@dataclass(frozen=True)
class Reserve:
    """A request to hold or book: what, where, with whom, when."""

    appointment_type_id: UUID
    location_id: UUID
    practitioner_ids: list[UUID]
    start_at: datetime
    patient_id: UUID | None = None
    room_id: UUID | None = None
    equipment_ids: list[UUID] = field(default_factory=list)
    allow_outside_hours: bool = False
    override_policies: bool = False
    series_id: UUID | None = None
    series_index: int | None = None


@dataclass(frozen=True)
class Placed:
    """A reserved appointment and the working-hours rule that was applied."""

    record: AppointmentRecord
    offer: Offer
    outside_hours: OutsideHoursDecision | None
    overridden: bool


async def reserve(ctx: BookingContext, cmd: Reserve, status: AppointmentStatus) -> Placed:
    """Check every rule, then insert the appointment and occupy its resources (or 409)."""
    offer = await load_offer(ctx.uow.session, cmd)
    end_at = cmd.start_at + timedelta(minutes=offer.policy.duration_minutes)
    overridden = ctx.may_override(cmd.override_policies)
    check_booking_window(offer.policy, cmd.start_at, ctx.now, offer.zone, override=overridden)
    hours = await check_hours(
        ctx,
        cmd.practitioner_ids,
        offer.location_id,
        offer.zone,
        cmd.start_at,
        end_at,
        allow_outside=cmd.allow_outside_hours,
    )
    expires_at = None
    if status is AppointmentStatus.HELD:
        minutes = (
            ctx.settings.hold_minutes_staff if ctx.is_staff else ctx.settings.hold_minutes_patient
        )
        expires_at = ctx.now + timedelta(minutes=minutes)
    record = await store.add(
        ctx.uow.session,
        id=uuid4(),
        tenant_id=ctx.actor.tenant_id,
        status=status.value,
        appointment_type_id=offer.type_id,
        location_id=offer.location_id,
        patient_id=cmd.patient_id,
        practitioner_ids=cmd.practitioner_ids,
        room_id=offer.room_id,
        equipment_ids=offer.equipment_ids,
        start_at=cmd.start_at,
        end_at=end_at,
        buffer_before_minutes=offer.policy.buffer_before_minutes,
        buffer_after_minutes=offer.policy.buffer_after_minutes,
        expires_at=expires_at,
        series_id=cmd.series_id,
        series_index=cmd.series_index,
        outside_hours=hours.outside,
        hours_decided_by=hours.decided_by.value,
        created_by=ctx.actor.subject,
    )
    await occupy(ctx, record, offer.room_capacity, expires_at)
    return Placed(record, offer, hours.decided_by if hours.outside else None, overridden)


async def occupy(
    ctx: BookingContext, record: AppointmentRecord, room_capacity: int, expires_at: datetime | None
) -> None:
    """Take the record's resources over its buffered interval, or raise a 409 naming one."""
    room = Resource(ResourceKind.ROOM, record.room_id, room_capacity) if record.room_id else None
    resources = resources_of(record.practitioner_ids, room, record.equipment_ids)
    period = blocked_interval(
        record.start_at, record.end_at, record.buffer_before_minutes, record.buffer_after_minutes
    )
    try:
        await store.occupy(
            ctx.uow.session, record.tenant_id, record.id, resources, period, expires_at
        )
    except SlotTaken as taken:
        raise Conflict(
            f"the {taken.resource.kind.value} is already booked at that time (buffers included)",
            code="slot_taken",
            field="start_at",
            extra={
                "resource_kind": taken.resource.kind.value,
                "resource_id": str(taken.resource.id),
            },
        ) from None


@dataclass(frozen=True)
class HoursOutcome:
    """The working-hours rule that decided (recorded on every booking) and its answer."""

    decided_by: OutsideHoursDecision
    outside: bool


async def check_hours(
    ctx: BookingContext,
    practitioner_ids: Sequence[UUID],
    location_id: UUID,
    zone: ZoneInfo,
    start: datetime,
    end: datetime,
    *,
    allow_outside: bool,
) -> HoursOutcome:
    """Whether every practitioner works then, and which rule decided (the first refusing one);
    staff may book outside hours, anyone else gets a 422."""
    verdicts = [
        await ctx.hours.verdict(practitioner, location_id, start, end, zone, ctx.authorization)
        for practitioner in practitioner_ids
    ]
    verdict = next((v for v in verdicts if not v.inside), verdicts[0])
    if verdict.inside:
        return HoursOutcome(verdict.decided_by, outside=False)
    if allow_outside and ctx.actor.can(Permission.APPOINTMENTS_MANAGE):
        return HoursOutcome(verdict.decided_by, outside=True)
    raise RuleViolation(
        f"outside working hours ({verdict.detail}); staff may book it with allow_outside_hours",
        code="outside_working_hours",
        field="start_at",
        extra={"decided_by": verdict.decided_by.value},
    )


async def place_hold(ctx: BookingContext, cmd: Reserve) -> AppointmentRecord:
    """Hold a slot for a while (10 minutes for patients, 30 for staff by default)."""
    cmd = replace(cmd, patient_id=patient_to_hold(ctx.actor, cmd.patient_id))
    placed = await reserve(ctx, cmd, AppointmentStatus.HELD)
    ctx.uow.record(held_event(placed.record), subject=subject(placed.record))
    await _audit_new(ctx, placed, "held")
    return placed.record


async def book(ctx: BookingContext, cmd: Reserve) -> AppointmentRecord:
    """Book directly (no hold first); the booking starts as pending."""
    cmd = replace(cmd, patient_id=patient_to_book(ctx.actor, cmd.patient_id))
    placed = await reserve(ctx, cmd, AppointmentStatus.PENDING)
    record_booked(ctx, placed)
    await _audit_new(ctx, placed, "booked")
    return placed.record


def record_booked(ctx: BookingContext, placed: Placed) -> None:
    """Events of a new booking: booked, and flagged when staff placed it outside hours."""
    record = placed.record
    ctx.uow.record(appointment_event(AppointmentBooked, record), subject=subject(record))
    count_appointment(ctx.uow.session, Action.BOOK)
    if placed.outside_hours is not None:
        ctx.uow.record(
            appointment_event(
                AppointmentFlaggedOutsideHours, record, decided_by=placed.outside_hours
            ),
            subject=subject(record),
        )


async def _audit_new(ctx: BookingContext, placed: Placed, action: str) -> None:
    notes = []
    if placed.outside_hours is not None:
        notes.append(f"booked outside working hours by staff ({placed.outside_hours.value})")
    if placed.overridden:
        notes.append("notice and horizon policies overridden by staff")
    reason = "; ".join(notes) or None
    await append_audit(
        ctx.uow.session,
        ctx.actor,
        entity_type="appointment",
        entity_id=placed.record.id,
        action=action,
        after=asdict(placed.record),
        reason=reason,
    )
