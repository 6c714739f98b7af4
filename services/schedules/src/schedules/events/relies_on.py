"""What schedules reads of others' events, and as what: its consumer contract.

`python -m clinic_contracts.consumers` checks it against booking's and calendar-sync's current
models and committed schemas. `tests/unit/test_relies_on.py` keeps it equal to `HANDLERS`, and
the integration tests run every handler on payloads holding only the fields declared here.
"""

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentDeclined,
    AppointmentFlaggedOutsideHours,
    AppointmentHeld,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    BusyTimesReplaced,
    EquipmentRetired,
    EquipmentUpserted,
    HoldReleased,
    LocationRetired,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
    RoomRetired,
    RoomUpserted,
)
from clinic_contracts.consumers import ConsumerContract, FieldTypes, reads


class Interval(BaseModel):
    """An external busy interval, as the busy-time replica copies it."""

    start: datetime
    end: datetime


# Holds and appointments carry their whole occupation; the booked-interval replica and the
# occupancy facts copy it. Statuses are stored as text: one schedules does not know is stored too.
OCCUPATION: FieldTypes = {
    "status": str,
    "practitioner_ids": list[UUID],
    "location_id": UUID,
    "appointment_type_id": UUID,
    "start": datetime,
    "end": datetime,
    "buffer_before_minutes": int,
    "buffer_after_minutes": int,
}
APPOINTMENT_EVENTS = (
    AppointmentConfirmed,
    AppointmentRescheduled,
    AppointmentCancelled,
    AppointmentDeclined,
    AppointmentCompleted,
    AppointmentNoShow,
    AppointmentFlaggedOutsideHours,
)

RELIES_ON = ConsumerContract(
    "schedules",
    (
        reads(LocationUpserted, location_id=UUID, name=str, timezone=str, active=bool),
        reads(LocationRetired, location_id=UUID),
        reads(
            PractitionerUpserted,
            practitioner_id=UUID,
            display_name=str,
            status=str,
            location_ids=list[UUID],
        ),
        reads(PractitionerRetired, practitioner_id=UUID),
        reads(
            AppointmentTypeUpserted,
            appointment_type_id=UUID,
            duration_minutes=int,
            buffer_before_minutes=int,
            buffer_after_minutes=int,
            min_notice_minutes=int,
            max_future_days=int,
            active=bool,
            default_room_id=UUID | None,
            required_equipment_ids=list[UUID] | None,  # absent means none
        ),
        reads(AppointmentTypeRetired, appointment_type_id=UUID),
        # Rooms and equipment only decide where a type can be booked: their site and retirement.
        reads(RoomUpserted, room_id=UUID, location_id=UUID),
        reads(RoomRetired, room_id=UUID),
        reads(EquipmentUpserted, equipment_id=UUID, location_id=UUID),
        reads(EquipmentRetired, equipment_id=UUID),
        reads(AppointmentHeld, hold_id=UUID, expires_at=datetime, **OCCUPATION),
        # A release naming its own hold as the appointment is a conversion in place.
        reads(HoldReleased, hold_id=UUID, appointment_id=UUID | None),
        # A booking converted from a hold frees the hold's row.
        reads(AppointmentBooked, appointment_id=UUID, hold_id=UUID | None, **OCCUPATION),
        *(reads(kind, appointment_id=UUID, **OCCUPATION) for kind in APPOINTMENT_EVENTS),
        reads(
            BusyTimesReplaced,
            connection_id=UUID,
            practitioner_id=UUID,
            window_start=datetime,
            window_end=datetime,
            intervals=list[Interval],
        ),
    ),
)
