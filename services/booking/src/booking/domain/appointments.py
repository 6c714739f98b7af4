"""The appointment state machine: which action may follow which status."""

from __future__ import annotations

from enum import StrEnum

from booking.domain.errors import IllegalTransition
from clinic_contracts import AppointmentStatus

S = AppointmentStatus


class Action(StrEnum):
    """What someone does to an appointment or hold."""

    BOOK = "booked"  # a hold converted into a booking
    CONFIRM = "confirmed"
    DECLINE = "declined"
    CANCEL = "cancelled"
    COMPLETE = "completed"
    NO_SHOW = "marked no-show"
    RESCHEDULE = "rescheduled"
    RELEASE = "released"  # a hold let go


# held → pending → confirmed → completed | no_show; pending → declined; active → cancelled.
TRANSITIONS: dict[tuple[AppointmentStatus, Action], AppointmentStatus] = {
    (S.HELD, Action.BOOK): S.PENDING,
    (S.HELD, Action.RELEASE): S.CANCELLED,
    (S.PENDING, Action.CONFIRM): S.CONFIRMED,
    (S.PENDING, Action.DECLINE): S.DECLINED,
    (S.CONFIRMED, Action.COMPLETE): S.COMPLETED,
    (S.CONFIRMED, Action.NO_SHOW): S.NO_SHOW,
    (S.PENDING, Action.RESCHEDULE): S.PENDING,
    (S.CONFIRMED, Action.RESCHEDULE): S.CONFIRMED,
    **{(status, Action.CANCEL): S.CANCELLED for status in (S.HELD, S.PENDING, S.CONFIRMED)},
}

# Statuses whose occupations block the practitioner, room and equipment.
OCCUPYING = frozenset({S.HELD, S.PENDING, S.CONFIRMED})


def next_status(current: AppointmentStatus, action: Action) -> AppointmentStatus:
    """The status after `action`, or IllegalTransition (a 409) when the machine forbids it."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise IllegalTransition(current.value, action.value) from None
