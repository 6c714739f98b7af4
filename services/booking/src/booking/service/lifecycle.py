"""Changing an appointment: confirm, decline, cancel, complete, no-show, reschedule, book a hold."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from uuid import UUID

from booking.domain.appointments import OCCUPYING, Action, next_status
from booking.domain.policies import (
    check_booking_window,
    check_cancellation_notice,
    check_reschedule_allowed,
)
from booking.service.access import ensure_may_change, ensure_visible, patient_to_book
from booking.service.catalog_view import ensure_patient, offer_of
from booking.service.context import BookingContext
from booking.service.counters import count_appointment
from booking.service.events import appointment_event, subject
from booking.service.reserve import check_hours, occupy
from booking.store import appointments as store
from booking.store.appointments import AppointmentRecord
from booking.store.audit import append_audit
from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentDeclined,
    AppointmentFlaggedOutsideHours,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentStatus,
    CancelledBy,
    EventPayload,
    HoldReleased,
    HoldReleaseReason,
)
from clinic_platform.errors import Conflict, RuleViolation

SIMPLE_EVENTS: dict[Action, type[EventPayload]] = {
    Action.CONFIRM: AppointmentConfirmed,
    Action.COMPLETE: AppointmentCompleted,
    Action.NO_SHOW: AppointmentNoShow,
}


async def load_for_change(
    ctx: BookingContext, appointment_id: UUID, action: Action
) -> AppointmentRecord:
    """Lock the appointment's row, check the actor may act on it, and return it."""
    record = ensure_visible(ctx.actor, await store.get(ctx.uow.session, appointment_id, lock=True))
    ensure_may_change(ctx.actor, record, action)
    return record


async def transition(
    ctx: BookingContext,
    appointment_id: UUID,
    action: Action,
    *,
    reason: str | None = None,
    override: bool = False,
) -> AppointmentRecord:
    """Apply a state change without moving the appointment."""
    before = await load_for_change(ctx, appointment_id, action)
    status = next_status(before.status, action)
    await _check_action_rules(ctx, before, action, override)
    changes: dict[str, object] = {"status": status.value}
    if action in (Action.CANCEL, Action.DECLINE):
        changes["reason"] = reason or ""
    if action is Action.CANCEL:
        changes["cancelled_by"] = _cancelled_by(ctx).value
    after = await store.change(ctx.uow.session, before.id, **changes)
    if status not in OCCUPYING:
        await store.vacate(ctx.uow.session, before.id)
    _record_event(ctx, before, after, action)
    await _audit(ctx, before, after, action, reason)
    return after


async def _check_action_rules(
    ctx: BookingContext, record: AppointmentRecord, action: Action, override: bool
) -> None:
    if action is Action.CANCEL and record.status is not AppointmentStatus.HELD:
        offer = await offer_of(ctx.uow.session, record)
        check_cancellation_notice(
            offer.policy,
            record.start_at,
            ctx.now,
            override=ctx.is_staff or ctx.may_override(override),
        )
    if action in (Action.COMPLETE, Action.NO_SHOW) and record.start_at > ctx.now:
        raise RuleViolation("the appointment has not started yet", code="appointment_not_started")


def _cancelled_by(ctx: BookingContext) -> CancelledBy:
    if ctx.actor.subject.startswith("system:"):
        return CancelledBy.CLINIC  # e.g. deleted in the practitioner's own calendar
    return CancelledBy.CLINIC if ctx.is_staff else CancelledBy.PATIENT


def _record_event(
    ctx: BookingContext, before: AppointmentRecord, after: AppointmentRecord, action: Action
) -> None:
    if before.status is AppointmentStatus.HELD:
        ctx.uow.record(
            HoldReleased(
                hold_id=after.id,
                practitioner_id=after.practitioner_ids[0],
                reason=HoldReleaseReason.RELEASED,
            ),
            subject=subject(after),
        )
        return
    if action is Action.CANCEL:
        event: EventPayload = appointment_event(
            AppointmentCancelled, after, cancelled_by=after.cancelled_by, reason=after.reason or ""
        )
    elif action is Action.DECLINE:
        event = appointment_event(AppointmentDeclined, after, reason=after.reason)
    else:
        event = appointment_event(SIMPLE_EVENTS[action], after)
    ctx.uow.record(event, subject=subject(after))
    count_appointment(ctx.uow.session, action)


async def _audit(
    ctx: BookingContext,
    before: AppointmentRecord | None,
    after: AppointmentRecord,
    action: Action,
    reason: str | None,
) -> None:
    await append_audit(
        ctx.uow.session,
        ctx.actor,
        entity_type="appointment",
        entity_id=after.id,
        action=action.name.lower(),
        before=asdict(before) if before else None,
        after=asdict(after),
        reason=reason,
    )


async def book_hold(
    ctx: BookingContext, hold_id: UUID, patient_id: UUID | None
) -> AppointmentRecord:
    """Turn a live hold into a pending booking; an expired hold is a 409."""
    before = await load_for_change(ctx, hold_id, Action.BOOK)
    patient = patient_to_book(ctx.actor, patient_id, before.patient_id)
    status = next_status(before.status, Action.BOOK)
    if before.expires_at is not None and before.expires_at <= ctx.now:
        raise Conflict("the hold has expired; place a new one", code="hold_expired")
    await ensure_patient(ctx.uow.session, patient)
    after = await store.change(
        ctx.uow.session,
        hold_id,
        status=status.value,
        patient_id=patient,
        expires_at=None,
        hold_id=hold_id,
    )
    await store.confirm_occupations(ctx.uow.session, hold_id)
    ctx.uow.record(
        HoldReleased(
            hold_id=hold_id,
            practitioner_id=after.practitioner_ids[0],
            reason=HoldReleaseReason.CONVERTED,
            appointment_id=after.id,
        ),
        subject=subject(after),
    )
    ctx.uow.record(
        appointment_event(AppointmentBooked, after, hold_id=hold_id), subject=subject(after)
    )
    count_appointment(ctx.uow.session, Action.BOOK)
    await _audit(ctx, before, after, Action.BOOK, None)
    return after


async def reschedule(
    ctx: BookingContext,
    appointment_id: UUID,
    start_at: datetime,
    *,
    override: bool = False,
    allow_outside_hours: bool = False,
) -> AppointmentRecord:
    """Move an appointment in one step: new interval checked, old one freed, one event."""
    before = await load_for_change(ctx, appointment_id, Action.RESCHEDULE)
    next_status(before.status, Action.RESCHEDULE)
    allowed = ctx.is_staff or ctx.may_override(override)
    offer = await offer_of(ctx.uow.session, before)
    check_reschedule_allowed(offer.policy, before.reschedule_count, override=allowed)
    check_booking_window(
        offer.policy, start_at, ctx.now, offer.zone, override=ctx.may_override(override)
    )
    end_at = start_at + timedelta(minutes=offer.policy.duration_minutes)
    hours = await check_hours(
        ctx,
        before.practitioner_ids,
        before.location_id,
        offer.zone,
        start_at,
        end_at,
        allow_outside=allow_outside_hours,
    )
    await store.vacate(ctx.uow.session, before.id)
    after = await store.change(
        ctx.uow.session,
        before.id,
        start_at=start_at,
        end_at=end_at,
        reschedule_count=before.reschedule_count + 1,
        outside_hours=hours.outside,
        hours_decided_by=hours.decided_by.value,
    )
    await occupy(ctx, after, offer.room_capacity, None)
    if hours.outside:
        ctx.uow.record(
            appointment_event(AppointmentFlaggedOutsideHours, after, decided_by=hours.decided_by),
            subject=subject(after),
        )
    ctx.uow.record(
        appointment_event(
            AppointmentRescheduled,
            after,
            previous_start=before.start_at,
            previous_end=before.end_at,
            reschedule_count=after.reschedule_count,
        ),
        subject=subject(after),
    )
    count_appointment(ctx.uow.session, Action.RESCHEDULE)
    await _audit(ctx, before, after, Action.RESCHEDULE, None)
    return after
