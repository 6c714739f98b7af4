"""What each appointment event makes this service do: who is told what, and the reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentDeclined,
    AppointmentEvent,
    AppointmentFlaggedOutsideHours,
    AppointmentNoShow,
    AppointmentRescheduled,
)
from notifications.domain.model import Kind, RecipientKind


class ReminderAction(StrEnum):
    """What happens to an appointment's reminder plan."""

    KEEP = "keep"
    PLAN = "plan"  # (re)plan for the event's start: moves the plan when the start changed
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class Reaction:
    """The messages (recipient kind → message kind) and the reminder action of one event."""

    messages: tuple[tuple[RecipientKind, Kind], ...]
    reminders: ReminderAction


_P, _PR, _S = RecipientKind.PATIENT, RecipientKind.PRACTITIONER, RecipientKind.STAFF
REACTIONS: dict[type[AppointmentEvent], Reaction] = {
    AppointmentBooked: Reaction(
        ((_P, Kind.CONFIRMATION), (_PR, Kind.PRACTITIONER_BOOKED)), ReminderAction.PLAN
    ),
    AppointmentConfirmed: Reaction(((_P, Kind.CONFIRMATION),), ReminderAction.PLAN),
    AppointmentRescheduled: Reaction(((_P, Kind.RESCHEDULED),), ReminderAction.PLAN),
    AppointmentCancelled: Reaction(
        ((_P, Kind.CANCELLED), (_PR, Kind.PRACTITIONER_CANCELLED)), ReminderAction.WITHDRAW
    ),
    AppointmentDeclined: Reaction(((_P, Kind.DECLINED),), ReminderAction.WITHDRAW),
    AppointmentCompleted: Reaction((), ReminderAction.WITHDRAW),
    AppointmentNoShow: Reaction((), ReminderAction.WITHDRAW),
    AppointmentFlaggedOutsideHours: Reaction(
        ((_S, Kind.STAFF_OUTSIDE_HOURS),), ReminderAction.KEEP
    ),
}


def reaction(
    payload: AppointmentEvent, event_time: datetime, now: datetime, max_age: timedelta
) -> Reaction:
    """The event's reaction; messages are dropped when the event is stale (a replay of old
    history) or the appointment has already started, so replays never spam anyone."""
    found = REACTIONS[type(payload)]
    if now - event_time > max_age or payload.start <= now:
        return Reaction((), found.reminders)
    return found
