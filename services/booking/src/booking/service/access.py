"""Who may see or change an appointment: staff any, others only their own."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from booking.domain.appointments import Action
from booking.store.appointments import AppointmentRecord
from booking.store.tables.appointments import appointments
from clinic_platform.auth import Permission, Principal
from clinic_platform.errors import Forbidden, NotFound

# A patient may move, cancel or confirm their own visit; the rest is the clinic's call.
PATIENT_ACTIONS = frozenset(
    {Action.BOOK, Action.CANCEL, Action.RESCHEDULE, Action.CONFIRM, Action.RELEASE}
)


def owns(actor: Principal, record: AppointmentRecord) -> bool:
    """The patient's own, the practitioner's own, or one this caller (e.g. an AI agent) made."""
    return (
        (actor.patient_id is not None and record.patient_id == actor.patient_id)
        or (actor.practitioner_id is not None and actor.practitioner_id in record.practitioner_ids)
        or record.created_by == actor.subject
    )


def ensure_visible(actor: Principal, record: AppointmentRecord | None) -> AppointmentRecord:
    """The record if the actor may see it; otherwise 404, so ids of others never leak."""
    if record is not None and (
        actor.can(Permission.APPOINTMENTS_READ)
        or (actor.can(Permission.APPOINTMENTS_OWN_READ) and owns(actor, record))
    ):
        return record
    raise NotFound("no such appointment", code="appointment_not_found")


def ensure_may_change(actor: Principal, record: AppointmentRecord, action: Action) -> None:
    """Raise 403 unless the actor may apply `action` to this (visible) appointment."""
    if actor.can(Permission.APPOINTMENTS_MANAGE):
        return
    if actor.can(Permission.APPOINTMENTS_OWN_MANAGE) and owns(actor, record):
        is_patient = actor.patient_id is not None and record.patient_id == actor.patient_id
        if not is_patient or action in PATIENT_ACTIONS:
            return
    if action in (Action.RELEASE, Action.BOOK) and record.created_by == actor.subject:
        return  # whoever placed a hold may let it go or book it (e.g. an AI agent)
    raise Forbidden(f"you may not have this appointment {action.value}", code="forbidden_action")


def visibility_filter(actor: Principal) -> ColumnElement[bool] | None:
    """A SQL condition limiting lists to what the actor may see (None: everything)."""
    if actor.can(Permission.APPOINTMENTS_READ):
        return None
    if not actor.can(Permission.APPOINTMENTS_OWN_READ):
        return false()
    c = appointments.c
    conditions: list[ColumnElement[bool]] = [c.created_by == actor.subject]
    if actor.patient_id is not None:
        conditions.append(c.patient_id == actor.patient_id)
    if actor.practitioner_id is not None:
        conditions.append(c.practitioner_ids.any_() == actor.practitioner_id)
    return or_(*conditions)
