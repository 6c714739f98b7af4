"""Booked appointments that a confirmed rule change left outside working hours."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from clinic_contracts.events.availability.common import PRACTITIONER, USER, AvailabilityEvent
from clinic_contracts.events.base import with_examples
from clinic_contracts.primitives import ContractModel, UtcDatetime


class OutsideHoursCause(StrEnum):
    """Which kind of rule change left the appointments outside hours."""

    WEEKLY_SCHEDULE = "weekly_schedule"
    CLINIC_HOURS = "clinic_hours"
    EXCEPTION = "exception"
    LEAVE = "leave"
    HOLIDAY = "holiday"
    FORCED_BLOCK = "forced_block"


class AffectedAppointment(ContractModel):
    """One appointment that stays valid but now lies outside effective availability."""

    appointment_id: UUID = Field(description="Id of the appointment (booking's id).")
    start: UtcDatetime = Field(description="Start of the appointment, UTC.")
    end: UtcDatetime = Field(description="End of the appointment (exclusive), UTC.")


class AppointmentsMarkedOutsideHours(AvailabilityEvent):
    """A rule change was confirmed although it leaves these future appointments outside hours."""

    event_type: ClassVar[str] = "clinic.schedules.appointments.outside_hours.v1"
    model_config = with_examples(
        {
            "practitioner_id": PRACTITIONER,
            "cause": "exception",
            "rule_id": "2d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a",
            "confirmed_by": USER,
            "appointments": [
                {
                    "appointment_id": "5f6a7b8c-9d0e-4f1a-8b2c-3d4e5f6a7b8c",
                    "start": "2025-01-15T06:00:00Z",
                    "end": "2025-01-15T07:00:00Z",
                }
            ],
        }
    )

    practitioner_id: UUID = Field(description="Practitioner whose appointments they are; the key.")
    cause: OutsideHoursCause = Field(description="Kind of rule change that was confirmed.")
    rule_id: UUID | None = Field(
        default=None, description="Id of the exception, leave or block, when the rule has one."
    )
    confirmed_by: UUID | None = Field(default=None, description="User who confirmed the change.")
    appointments: list[AffectedAppointment] = Field(
        min_length=1, description="The appointments now flagged outside hours."
    )
