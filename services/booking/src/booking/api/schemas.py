"""Request and response models of holds, appointments and series."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

from booking.api.examples import (
    HOLD_BOOK,
    REASON,
    RESCHEDULE,
    RESERVE,
    SERIES_CANCEL,
    SERIES_CREATE,
    example,
)
from booking.api.text import Reason as ReasonText
from booking.api.text import Rrule
from booking.service.reserve import Reserve
from booking.store.appointments import AppointmentRecord
from clinic_contracts import AppointmentStatus
from clinic_contracts.edge import SupportedInstant


class ReserveBody(BaseModel):
    """What to hold or book; the type decides duration, buffers, default room and equipment."""

    appointment_type_id: UUID
    location_id: UUID
    practitioner_ids: list[UUID] = Field(
        min_length=1, max_length=5, description="The primary practitioner first."
    )
    start_at: SupportedInstant = Field(description="Start instant with its UTC offset.")
    patient_id: UUID | None = Field(
        default=None,
        description="Staff name any patient. A patient, or an AI agent acting for one, may "
        "name only the patient in their token, and gets that one when leaving it out.",
    )
    room_id: UUID | None = Field(default=None, description="Defaults to the type's room.")
    allow_outside_hours: bool = Field(default=False, description="Staff only: book anyway.")
    override_policies: bool = Field(
        default=False, description="Staff with override rights: skip notice rules."
    )

    def command(self) -> Reserve:
        """The domain command."""
        return Reserve(
            appointment_type_id=self.appointment_type_id,
            location_id=self.location_id,
            practitioner_ids=list(dict.fromkeys(self.practitioner_ids)),
            start_at=self.start_at,
            patient_id=self.patient_id,
            room_id=self.room_id,
            allow_outside_hours=self.allow_outside_hours,
            override_policies=self.override_policies,
        )


class HoldCreate(ReserveBody):
    """A hold: blocks the slot for a few minutes while the patient decides."""

    model_config = example(RESERVE)


class AppointmentCreate(ReserveBody):
    """A booking made directly, without a hold; staff must name the patient."""

    model_config = example(RESERVE)


class HoldBook(BaseModel):
    """Turning a hold into a booking."""

    model_config = example(HOLD_BOOK)

    patient_id: UUID | None = Field(
        default=None,
        description="Staff: needed if the hold had none. Others book only for the patient in "
        "their token.",
    )


class Reschedule(BaseModel):
    """Moving an appointment; duration and buffers come from its type."""

    model_config = example(RESCHEDULE)

    start_at: SupportedInstant
    allow_outside_hours: bool = False
    override_policies: bool = False


class Reason(BaseModel):
    """A reason for a decline or cancellation, and (staff) a policy override."""

    model_config = example(REASON)

    reason: ReasonText = ""
    override_policies: bool = False


class SeriesCreate(ReserveBody):
    """A recurring booking: the RRULE chooses local dates, each at the first start's wall time."""

    model_config = example(SERIES_CREATE)

    patient_id: UUID
    rrule: Rrule
    start_at: SupportedInstant = Field(description="First occurrence; its local wall time repeats.")
    skip_conflicts: bool = False


class SeriesCancel(BaseModel):
    """Cancel all of a series, or one occurrence and the following ones."""

    model_config = example(SERIES_CANCEL)

    scope: Literal["all", "following"]
    from_appointment_id: UUID | None = None
    reason: ReasonText = ""


class AppointmentPublic(BaseModel):
    """An appointment or hold as the API shows it (UTC instants)."""

    id: UUID
    status: AppointmentStatus
    appointment_type_id: UUID
    location_id: UUID
    patient_id: UUID | None
    practitioner_ids: list[UUID]
    room_id: UUID | None
    equipment_ids: list[UUID]
    start_at: datetime
    end_at: datetime
    expires_at: datetime | None
    series_id: UUID | None
    reschedule_count: int
    outside_hours: bool
    hours_decided_by: str | None
    cancelled_by: str | None
    reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, record: AppointmentRecord) -> AppointmentPublic:
        """From the stored record."""
        return cls.model_validate(record, from_attributes=True)


class AppointmentPage(BaseModel):
    """One page of appointments and the cursor of the next."""

    items: list[AppointmentPublic]
    next_cursor: str | None


class SeriesPublic(BaseModel):
    """The outcome of booking a series."""

    series_id: UUID
    booked: list[AppointmentPublic]
    skipped: list[dict[str, object]]
