"""What a booking needs from the catalog: the type's policy, the location's zone, resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.catalog import AppointmentType
from booking.domain.policies import TypePolicy
from booking.store import catalog
from clinic_contracts import PractitionerStatus
from clinic_platform.errors import RuleViolation

if TYPE_CHECKING:
    from booking.service.reserve import Reserve
    from booking.store.appointments import AppointmentRecord


@dataclass(frozen=True)
class Offer:
    """A bookable combination: type policy, where (and its zone), which room and equipment."""

    type_id: UUID
    location_id: UUID
    zone: ZoneInfo
    policy: TypePolicy
    room_id: UUID | None
    room_capacity: int
    equipment_ids: list[UUID]


def _policy(kind: AppointmentType) -> TypePolicy:
    return TypePolicy(
        kind.duration_minutes,
        kind.buffer_before_minutes,
        kind.buffer_after_minutes,
        kind.min_notice_minutes,
        kind.max_future_days,
        kind.reschedule_limit,
        kind.cancellation_notice_minutes,
    )


def _unavailable(field: str, what: str) -> RuleViolation:
    return RuleViolation(
        f"{what} is unknown, retired or not bookable", code=f"{field}_unavailable", field=field
    )


async def ensure_patient(session: AsyncSession, patient_id: UUID) -> None:
    """A 422 naming `patient_id` unless the tenant has this patient (and has not erased them)."""
    if await catalog.get_patient(session, patient_id) is None:
        raise RuleViolation(
            "the patient is unknown or erased", code="patient_id_unavailable", field="patient_id"
        )


async def load_offer(session: AsyncSession, cmd: Reserve) -> Offer:
    """Validate what a new booking refers to; a 422 names the first field that does not hold."""
    kind = await catalog.get_appointment_type(session, cmd.appointment_type_id)
    if kind is None or kind.retired or not kind.active:
        raise _unavailable("appointment_type_id", "the appointment type")
    location = await catalog.get_location(session, cmd.location_id)
    if location is None or location.retired or not location.active:
        raise _unavailable("location_id", "the location")
    for practitioner_id in cmd.practitioner_ids:
        practitioner = await catalog.get_practitioner(session, practitioner_id)
        if (
            practitioner is None
            or practitioner.retired
            or practitioner.status is not PractitionerStatus.ACTIVE
            or location.id not in practitioner.location_ids
        ):
            raise _unavailable("practitioner_ids", f"practitioner {practitioner_id} (here)")
    room_id, capacity = await _room(session, cmd.room_id or kind.default_room_id, location.id)
    for equipment_id in kind.required_equipment_ids:
        equipment = await catalog.get_equipment(session, equipment_id)
        if equipment is None or equipment.retired or equipment.location_id != location.id:
            raise _unavailable("appointment_type_id", f"required equipment {equipment_id}")
    if cmd.patient_id is not None:
        await ensure_patient(session, cmd.patient_id)
    return Offer(
        kind.id,
        location.id,
        ZoneInfo(location.timezone),
        _policy(kind),
        room_id,
        capacity,
        list(kind.required_equipment_ids),
    )


async def _room(
    session: AsyncSession, room_id: UUID | None, location_id: UUID
) -> tuple[UUID | None, int]:
    if room_id is None:
        return None, 1
    room = await catalog.get_room(session, room_id)
    if room is None or room.retired or room.location_id != location_id:
        raise _unavailable("room_id", "the room (at this location)")
    if room.virtual:
        return None, 1  # a video room is not a place: it never runs out
    return room.id, room.capacity


async def offer_of(session: AsyncSession, record: AppointmentRecord) -> Offer:
    """The offer an existing appointment was booked under (retired entities included)."""
    kind = await catalog.get_appointment_type(session, record.appointment_type_id)
    location = await catalog.get_location(session, record.location_id)
    assert kind is not None  # foreign keys guarantee both
    assert location is not None
    capacity = 1
    if record.room_id is not None:
        room = await catalog.get_room(session, record.room_id)
        capacity = room.capacity if room else 1
    return Offer(
        kind.id,
        location.id,
        ZoneInfo(location.timezone),
        _policy(kind),
        record.room_id,
        capacity,
        record.equipment_ids,
    )
