"""Who may see or change an appointment, and for which patient a caller may hold or book.

Staff (`appointments.manage`) act for any patient of the tenant. Everyone else acts for the
patient their token names (a patient, or an AI agent acting for one) and for nobody else: they
see that patient's appointments, hold and book only in that name, and a `patient_id` they leave
out is theirs. A caller whose token names no patient may hold without a patient, and may not book
(a booking is always someone's). Holds naming nobody belong to whoever placed them.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ColumnElement, and_, false, or_

from booking.domain.appointments import Action
from booking.store.appointments import AppointmentRecord
from booking.store.tables.appointments import appointments
from clinic_platform.auth import Permission, Principal
from clinic_platform.errors import Forbidden, NotFound, RuleViolation

# A patient may move, cancel or confirm their own visit; the rest is the clinic's call.
PATIENT_ACTIONS = frozenset(
    {Action.BOOK, Action.CANCEL, Action.RESCHEDULE, Action.CONFIRM, Action.RELEASE}
)


def acts_for_any_patient(actor: Principal) -> bool:
    """Staff hold, book and manage in any patient's name."""
    return actor.can(Permission.APPOINTMENTS_MANAGE)


def patient_to_hold(actor: Principal, named: UUID | None) -> UUID | None:
    """The patient a new hold is for: whoever staff name (or nobody); the caller's own else."""
    if acts_for_any_patient(actor):
        return named
    _refuse_another(actor, named)
    return actor.patient_id


def patient_to_book(actor: Principal, named: UUID | None, held: UUID | None = None) -> UUID:
    """The patient a new booking is for: whoever staff name (or the hold's); the caller's own
    else, which a token naming no patient does not have (403)."""
    if acts_for_any_patient(actor):
        patient = named or held
        if patient is None:
            raise RuleViolation(
                "a booking needs a patient", code="patient_required", field="patient_id"
            )
        return patient
    _refuse_another(actor, named)
    if actor.patient_id is None:
        raise Forbidden(
            "only a token naming a patient may book, and only for that patient",
            code="patient_claim_required",
            field="patient_id",
        )
    return actor.patient_id


def _refuse_another(actor: Principal, named: UUID | None) -> None:
    # Refused before any lookup, so the answer says nothing about whether that id exists.
    if named is not None and named != actor.patient_id:
        raise Forbidden(
            "you may hold or book only for the patient your token names",
            code="not_your_patient",
            field="patient_id",
        )


def owns(actor: Principal, record: AppointmentRecord) -> bool:
    """The practitioner's own; the token's patient's own (whoever acts for them); or one naming
    no patient that this caller made (an agent's hold before the patient signed in)."""
    if actor.practitioner_id is not None and actor.practitioner_id in record.practitioner_ids:
        return True
    if actor.patient_id is not None and record.patient_id == actor.patient_id:
        return True
    # Not "whatever this caller made": an agent serves many patients under one subject.
    return record.patient_id is None and record.created_by == actor.subject


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
    """A SQL condition limiting lists to what the actor may see (None: everything); the same
    rule as `owns`."""
    if actor.can(Permission.APPOINTMENTS_READ):
        return None
    if not actor.can(Permission.APPOINTMENTS_OWN_READ):
        return false()
    c = appointments.c
    conditions = [and_(c.patient_id.is_(None), c.created_by == actor.subject)]
    if actor.practitioner_id is not None:
        conditions.append(c.practitioner_ids.any_() == actor.practitioner_id)
    if actor.patient_id is not None:
        conditions.append(c.patient_id == actor.patient_id)
    return or_(*conditions)
