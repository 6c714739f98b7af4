"""``booking.appointments.v1``: holds and appointments, without any PII.

Keyed by the primary practitioner's id so each practitioner's events stay in order. Every event
carries the full occupation after the change (event-carried state), so consumers need no lookups.
"""

from clinic_contracts.events.appointments.lifecycle import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentDeclined,
    AppointmentFlaggedOutsideHours,
    AppointmentNoShow,
    AppointmentRescheduled,
)
from clinic_contracts.events.appointments.occupation import (
    TOPIC,
    AppointmentEvent,
    AppointmentHeld,
    AppointmentStatus,
    CancelledBy,
    HoldReleased,
    HoldReleaseReason,
    Occupation,
    OutsideHoursDecision,
)
from clinic_contracts.events.base import EventPayload

PAYLOADS: tuple[type[EventPayload], ...] = (
    AppointmentHeld,
    HoldReleased,
    AppointmentBooked,
    AppointmentConfirmed,
    AppointmentRescheduled,
    AppointmentCancelled,
    AppointmentDeclined,
    AppointmentCompleted,
    AppointmentNoShow,
    AppointmentFlaggedOutsideHours,
)

__all__ = [
    "PAYLOADS",
    "TOPIC",
    "AppointmentBooked",
    "AppointmentCancelled",
    "AppointmentCompleted",
    "AppointmentConfirmed",
    "AppointmentDeclined",
    "AppointmentEvent",
    "AppointmentFlaggedOutsideHours",
    "AppointmentHeld",
    "AppointmentNoShow",
    "AppointmentRescheduled",
    "AppointmentStatus",
    "CancelledBy",
    "HoldReleaseReason",
    "HoldReleased",
    "Occupation",
    "OutsideHoursDecision",
]
