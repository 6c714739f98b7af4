"""Booking's domain counter: appointments booked, confirmed, cancelled, … once committed."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.appointments import Action
from clinic_platform.metrics import count_on_commit, domain_counter

# Prometheus: clinic_booking_appointments_total{outcome="booked"|"cancelled"|…}
APPOINTMENTS = domain_counter(
    "clinic.booking.appointments",
    unit="{appointment}",
    description="Appointment changes committed, by outcome (booked, confirmed, cancelled, …).",
)
OUTCOMES = {
    Action.BOOK: "booked",
    Action.CONFIRM: "confirmed",
    Action.DECLINE: "declined",
    Action.CANCEL: "cancelled",
    Action.COMPLETE: "completed",
    Action.NO_SHOW: "no_show",
    Action.RESCHEDULE: "rescheduled",
}


def count_appointment(session: AsyncSession, action: Action) -> None:
    """Count `action` on an appointment if, and when, the session's transaction commits."""
    if action in OUTCOMES:
        count_on_commit(session, APPOINTMENTS, {"outcome": OUTCOMES[action]})
