"""Contract events built from an appointment's current state (ids and instants, no PII)."""

from __future__ import annotations

from typing import Any, TypeVar

from booking.store.appointments import AppointmentRecord
from clinic_contracts import AppointmentHeld, EventPayload

E = TypeVar("E", bound=EventPayload)


def occupation_fields(record: AppointmentRecord) -> dict[str, Any]:
    """The fields every appointment event shares, from the stored record."""
    return {
        "practitioner_id": record.practitioner_ids[0],
        "practitioner_ids": record.practitioner_ids,
        "location_id": record.location_id,
        "appointment_type_id": record.appointment_type_id,
        "room_id": record.room_id,
        "equipment_ids": record.equipment_ids,
        "start": record.start_at,
        "end": record.end_at,
        "buffer_before_minutes": record.buffer_before_minutes,
        "buffer_after_minutes": record.buffer_after_minutes,
        "status": record.status,
        "series_id": record.series_id,
    }


def appointment_event(kind: type[E], record: AppointmentRecord, **extra: Any) -> E:
    """An `AppointmentEvent` subclass describing `record` after a change."""
    return kind(
        **occupation_fields(record), appointment_id=record.id, patient_id=record.patient_id, **extra
    )


def held_event(record: AppointmentRecord) -> AppointmentHeld:
    """The event of a new hold."""
    assert record.expires_at is not None
    return AppointmentHeld(
        **occupation_fields(record),
        hold_id=record.id,
        patient_id=record.patient_id,
        expires_at=record.expires_at,
    )


def subject(record: AppointmentRecord) -> str:
    """The CloudEvents subject of an appointment's events."""
    return f"appointments/{record.id}"
