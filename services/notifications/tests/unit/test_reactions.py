"""Reactions per event; replays of old history and past appointments tell nobody."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from clinic_contracts import AppointmentBooked, AppointmentCancelled
from notifications.domain.model import Kind, RecipientKind
from notifications.domain.reactions import ReminderAction, reaction

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def booked(start: datetime) -> AppointmentBooked:
    practitioner = uuid4()
    return AppointmentBooked(
        appointment_id=uuid4(),
        patient_id=uuid4(),
        practitioner_id=practitioner,
        practitioner_ids=[practitioner],
        location_id=uuid4(),
        appointment_type_id=uuid4(),
        start=start,
        end=start + timedelta(minutes=30),
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        status="pending",
    )


def test_a_booking_confirms_to_the_patient_tells_the_practitioner_and_plans_reminders() -> None:
    found = reaction(booked(NOW + timedelta(days=2)), NOW, NOW, timedelta(hours=24))
    assert found.messages == (
        (RecipientKind.PATIENT, Kind.CONFIRMATION),
        (RecipientKind.PRACTITIONER, Kind.PRACTITIONER_BOOKED),
    )
    assert found.reminders is ReminderAction.PLAN


def test_a_cancellation_withdraws_the_reminders() -> None:
    event = booked(NOW + timedelta(days=2)).model_dump()
    cancelled = AppointmentCancelled(
        **{**event, "status": "cancelled"}, cancelled_by="clinic", reason="Doctor ill"
    )
    found = reaction(cancelled, NOW, NOW, timedelta(hours=24))
    assert (RecipientKind.PATIENT, Kind.CANCELLED) in found.messages
    assert found.reminders is ReminderAction.WITHDRAW


def test_replayed_history_and_started_appointments_notify_nobody() -> None:
    old = reaction(
        booked(NOW + timedelta(days=2)), NOW - timedelta(days=2), NOW, timedelta(hours=24)
    )
    assert old.messages == ()
    assert old.reminders is ReminderAction.PLAN
    past = reaction(booked(NOW - timedelta(minutes=1)), NOW, NOW, timedelta(hours=24))
    assert past.messages == ()
