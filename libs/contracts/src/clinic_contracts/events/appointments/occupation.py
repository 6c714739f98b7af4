"""Shared appointment fields and enums, holds, and the base of appointment events."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator
from pydantic.config import JsonDict

from clinic_contracts.events.base import EventPayload, with_examples
from clinic_contracts.primitives import UtcDatetime, ensure_ordered

TOPIC = "booking.appointments.v1"
PRACTITIONER = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
HOLD = "3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a"
APPOINTMENT = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
OCCUPATION_EXAMPLE: JsonDict = {
    "practitioner_id": PRACTITIONER,
    "practitioner_ids": [PRACTITIONER],
    "location_id": "7d1f2c3a-8b4e-4f6a-9c0d-1e2f3a4b5c6d",
    "appointment_type_id": "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
    "room_id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
    "equipment_ids": [],
    "start": "2025-01-15T01:00:00Z",
    "end": "2025-01-15T01:45:00Z",
    "buffer_before_minutes": 5,
    "buffer_after_minutes": 10,
}
BOOKED_EXAMPLE: JsonDict = {
    **OCCUPATION_EXAMPLE,
    "appointment_id": APPOINTMENT,
    "patient_id": "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
}


class AppointmentStatus(StrEnum):
    """State of a hold or appointment (see the state machine in the architecture)."""

    HELD = "held"
    PENDING = "pending"
    CONFIRMED = "confirmed"
    COMPLETED = "completed"
    NO_SHOW = "no_show"
    DECLINED = "declined"
    CANCELLED = "cancelled"


_ACTIVE = frozenset({AppointmentStatus.PENDING, AppointmentStatus.CONFIRMED})


class HoldReleaseReason(StrEnum):
    """Why a hold stopped occupying its resources."""

    EXPIRED = "expired"
    RELEASED = "released"
    CONVERTED = "converted"


class CancelledBy(StrEnum):
    """Which party cancelled an appointment."""

    PATIENT = "patient"
    CLINIC = "clinic"
    SYSTEM = "system"


class OutsideHoursDecision(StrEnum):
    """Which rule judged an appointment to lie outside working hours."""

    SCHEDULES = "schedules"
    FALLBACK_DEFAULT_HOURS = "fallback_default_hours"
    STAFF_OVERRIDE = "staff_override"


class Occupation(EventPayload):
    """Base of holds and appointments: what they occupy, and the status after the change."""

    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "practitioner_id"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = _ACTIVE

    practitioner_id: UUID = Field(description="Primary practitioner; the message key.")
    practitioner_ids: list[UUID] = Field(
        min_length=1, description="Every practitioner occupied, the primary one included."
    )
    location_id: UUID = Field(description="Location where it takes place.")
    appointment_type_id: UUID = Field(description="Appointment type booked.")
    room_id: UUID | None = Field(default=None, description="Room occupied, if any.")
    equipment_ids: list[UUID] = Field(default_factory=list, description="Equipment occupied.")
    start: UtcDatetime = Field(description="Start of the appointment itself, UTC.")
    end: UtcDatetime = Field(description="End of the appointment itself (exclusive), UTC.")
    buffer_before_minutes: int = Field(ge=0, description="Kept free before start, minutes.")
    buffer_after_minutes: int = Field(ge=0, description="Kept free after end, minutes.")
    status: AppointmentStatus = Field(description="Status after this event.")
    series_id: UUID | None = Field(default=None, description="Recurring series it belongs to.")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ensure_ordered(self.start, self.end, "start", "end")
        if self.practitioner_id not in self.practitioner_ids:
            raise ValueError("practitioner_ids must include practitioner_id")
        if self.status not in self.allowed_statuses:
            allowed = ", ".join(sorted(self.allowed_statuses))
            raise ValueError(f"status {self.status!s} not allowed here (allowed: {allowed})")
        return self


class AppointmentHeld(Occupation):
    """A tentative hold now occupies the resources until it expires or is converted."""

    event_type: ClassVar[str] = "clinic.booking.appointment.held.v1"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = frozenset({AppointmentStatus.HELD})
    model_config = with_examples(
        {
            **OCCUPATION_EXAMPLE,
            "hold_id": HOLD,
            "status": "held",
            "expires_at": "2025-01-10T02:10:00Z",
        }
    )

    hold_id: UUID = Field(description="Id of the hold.")
    patient_id: UUID | None = Field(default=None, description="Patient, if already known.")
    expires_at: UtcDatetime = Field(description="After this instant the hold blocks nothing.")


class HoldReleased(EventPayload):
    """A hold no longer occupies anything (expired, released, or converted to a booking)."""

    event_type: ClassVar[str] = "clinic.booking.appointment.hold_released.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "practitioner_id"
    model_config = with_examples(
        {
            "hold_id": HOLD,
            "practitioner_id": PRACTITIONER,
            "reason": "converted",
            "appointment_id": APPOINTMENT,
        }
    )

    hold_id: UUID = Field(description="Id of the released hold.")
    practitioner_id: UUID = Field(description="Primary practitioner of the hold; the key.")
    reason: HoldReleaseReason = Field(description="Why the hold ended.")
    appointment_id: UUID | None = Field(
        default=None, description="The appointment it became, when reason is 'converted'."
    )


class AppointmentEvent(Occupation):
    """Base of the events about a booked appointment."""

    appointment_id: UUID = Field(description="Id of the appointment.")
    patient_id: UUID = Field(description="Opaque patient id; contact details are never here.")
