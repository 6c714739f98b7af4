"""The life of a booked appointment: booked, confirmed, moved, and how it ended."""

from __future__ import annotations

from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from clinic_contracts.events.appointments.occupation import (
    BOOKED_EXAMPLE,
    HOLD,
    AppointmentEvent,
    AppointmentStatus,
    CancelledBy,
    OutsideHoursDecision,
)
from clinic_contracts.events.base import with_examples
from clinic_contracts.primitives import UtcDatetime, ensure_ordered


class AppointmentBooked(AppointmentEvent):
    """An appointment was booked (directly or by converting a hold)."""

    event_type: ClassVar[str] = "clinic.booking.appointment.booked.v1"
    model_config = with_examples({**BOOKED_EXAMPLE, "status": "pending", "hold_id": HOLD})

    hold_id: UUID | None = Field(default=None, description="Hold it was converted from, if any.")


class AppointmentConfirmed(AppointmentEvent):
    """A pending appointment was confirmed."""

    event_type: ClassVar[str] = "clinic.booking.appointment.confirmed.v1"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = frozenset(
        {AppointmentStatus.CONFIRMED}
    )
    model_config = with_examples({**BOOKED_EXAMPLE, "status": "confirmed"})


class AppointmentRescheduled(AppointmentEvent):
    """An appointment moved; ``start``/``end`` are the new times."""

    event_type: ClassVar[str] = "clinic.booking.appointment.rescheduled.v1"
    model_config = with_examples(
        {
            **BOOKED_EXAMPLE,
            "status": "confirmed",
            "previous_start": "2025-01-14T01:00:00Z",
            "previous_end": "2025-01-14T01:45:00Z",
            "reschedule_count": 1,
        }
    )

    previous_start: UtcDatetime = Field(description="Start before the move, UTC.")
    previous_end: UtcDatetime = Field(description="End before the move, UTC.")
    reschedule_count: int = Field(ge=1, description="Moves so far, this one included.")

    @model_validator(mode="after")
    def _previous_ordered(self) -> Self:
        ensure_ordered(self.previous_start, self.previous_end, "previous_start", "previous_end")
        return self


class AppointmentCancelled(AppointmentEvent):
    """An appointment was cancelled; its resources are free again."""

    event_type: ClassVar[str] = "clinic.booking.appointment.cancelled.v1"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = frozenset(
        {AppointmentStatus.CANCELLED}
    )
    model_config = with_examples(
        {
            **BOOKED_EXAMPLE,
            "status": "cancelled",
            "cancelled_by": "patient",
            "reason": "Feeling better",
        }
    )

    cancelled_by: CancelledBy = Field(description="Who cancelled.")
    reason: str = Field(max_length=500, description="Reason given (may be empty).")


class AppointmentDeclined(AppointmentEvent):
    """The clinic declined a pending appointment."""

    event_type: ClassVar[str] = "clinic.booking.appointment.declined.v1"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = frozenset(
        {AppointmentStatus.DECLINED}
    )
    model_config = with_examples(
        {**BOOKED_EXAMPLE, "status": "declined", "reason": "Referral needed"}
    )

    reason: str | None = Field(default=None, max_length=500, description="Reason, if given.")


class AppointmentCompleted(AppointmentEvent):
    """The appointment took place."""

    event_type: ClassVar[str] = "clinic.booking.appointment.completed.v1"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = frozenset(
        {AppointmentStatus.COMPLETED}
    )
    model_config = with_examples({**BOOKED_EXAMPLE, "status": "completed"})


class AppointmentNoShow(AppointmentEvent):
    """The patient did not come."""

    event_type: ClassVar[str] = "clinic.booking.appointment.no_show.v1"
    allowed_statuses: ClassVar[frozenset[AppointmentStatus]] = frozenset(
        {AppointmentStatus.NO_SHOW}
    )
    model_config = with_examples({**BOOKED_EXAMPLE, "status": "no_show"})


class AppointmentFlaggedOutsideHours(AppointmentEvent):
    """An appointment now lies outside working hours; it stays valid but is flagged."""

    event_type: ClassVar[str] = "clinic.booking.appointment.flagged_outside_hours.v1"
    model_config = with_examples(
        {**BOOKED_EXAMPLE, "status": "confirmed", "decided_by": "fallback_default_hours"}
    )

    decided_by: OutsideHoursDecision = Field(description="Rule that flagged it.")
