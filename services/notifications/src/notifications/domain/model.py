"""Plain data of notifications: kinds, recipients, delivery states and the contact replica."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from clinic_contracts.events.notifications import NotificationChannel

Channel = NotificationChannel


class Kind(StrEnum):
    """What a message says; each kind has a template per channel and language."""

    CONFIRMATION = "appointment_confirmation"
    RESCHEDULED = "appointment_rescheduled"
    CANCELLED = "appointment_cancelled"
    DECLINED = "appointment_declined"
    REMINDER = "appointment_reminder"
    PRACTITIONER_BOOKED = "practitioner_new_booking"
    PRACTITIONER_CANCELLED = "practitioner_cancellation"
    STAFF_OUTSIDE_HOURS = "staff_outside_hours"
    WEBHOOK = "webhook"


class RecipientKind(StrEnum):
    """Who a delivery goes to."""

    PATIENT = "patient"
    PRACTITIONER = "practitioner"
    STAFF = "staff"
    INTEGRATION = "integration"


class DeliveryState(StrEnum):
    """pending → sending → sent | failed; withdrawn when it must no longer go out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Contact:
    """A patient's contact details and preferences, as replicated from booking."""

    name: str
    preferred_language: str
    preferred_channel: str
    email: str | None = None
    phone: str | None = None
    line_user_id: str | None = None
    timezone: str | None = None

    def address(self, channel: Channel) -> str | None:
        """The address this contact has on `channel`, if any."""
        return {
            Channel.EMAIL: self.email,
            Channel.SMS: self.phone,
            Channel.LINE: self.line_user_id,
        }.get(channel)
