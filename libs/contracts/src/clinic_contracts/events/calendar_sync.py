"""``calendar_sync.external.v1``: what practitioners' external calendars say.

Keyed by practitioner id, so busy times and external changes for one practitioner stay ordered.
"""

from __future__ import annotations

from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator
from pydantic.config import JsonDict

from clinic_contracts.events.base import EventPayload, with_examples
from clinic_contracts.primitives import UtcDatetime, UtcInterval, ensure_ordered

TOPIC = "calendar_sync.external.v1"
_PRACTITIONER = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
_CONNECTION = "f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b"
_EXTERNAL: JsonDict = {
    "appointment_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "practitioner_id": _PRACTITIONER,
    "connection_id": _CONNECTION,
    "external_event_id": "7kq3f0v2l8gq1o5e3b9c",
    "detected_at": "2025-01-14T09:30:00Z",
}


class _ExternalEvent(EventPayload):
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "practitioner_id"


class BusyTimesReplaced(_ExternalEvent):
    """The busy times of one calendar connection within a window, replacing earlier ones."""

    event_type: ClassVar[str] = "clinic.calendar_sync.busy_times.replaced.v1"
    model_config = with_examples(
        {
            "practitioner_id": _PRACTITIONER,
            "connection_id": _CONNECTION,
            "window_start": "2025-01-13T00:00:00Z",
            "window_end": "2025-03-13T00:00:00Z",
            "intervals": [{"start": "2025-01-15T05:00:00Z", "end": "2025-01-15T06:00:00Z"}],
        }
    )

    practitioner_id: UUID = Field(description="Practitioner whose calendar it is; the key.")
    connection_id: UUID = Field(description="Calendar connection the busy times came from.")
    window_start: UtcDatetime = Field(description="Start of the replaced window, UTC.")
    window_end: UtcDatetime = Field(description="End of the replaced window (exclusive), UTC.")
    intervals: list[UtcInterval] = Field(
        description="Every busy interval of this connection in the window; replaces the last set."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        ensure_ordered(self.window_start, self.window_end, "window_start", "window_end")
        return self


class AppointmentDeletedExternally(_ExternalEvent):
    """The practitioner deleted an appointment's event in their external calendar."""

    event_type: ClassVar[str] = "clinic.calendar_sync.appointment.deleted_externally.v1"
    model_config = with_examples(_EXTERNAL)

    appointment_id: UUID = Field(description="Appointment whose external event was deleted.")
    practitioner_id: UUID = Field(description="Practitioner owning the calendar; the key.")
    connection_id: UUID = Field(description="Calendar connection where it happened.")
    external_event_id: str = Field(max_length=1024, description="Provider's id of the event.")
    detected_at: UtcDatetime = Field(description="When calendar-sync noticed, UTC.")


class AppointmentMovedExternally(AppointmentDeletedExternally):
    """The practitioner moved an appointment's event in their external calendar."""

    event_type: ClassVar[str] = "clinic.calendar_sync.appointment.moved_externally.v1"
    model_config = with_examples(
        {**_EXTERNAL, "new_start": "2025-01-16T02:00:00Z", "new_end": "2025-01-16T02:45:00Z"}
    )

    new_start: UtcDatetime = Field(description="Start the event was moved to, UTC.")
    new_end: UtcDatetime = Field(description="End the event was moved to (exclusive), UTC.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        ensure_ordered(self.new_start, self.new_end, "new_start", "new_end")
        return self


PAYLOADS: tuple[type[EventPayload], ...] = (
    BusyTimesReplaced,
    AppointmentDeletedExternally,
    AppointmentMovedExternally,
)
