"""Practitioners and appointment types with their booking policies."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from clinic_contracts.events.base import with_examples
from clinic_contracts.events.catalog.common import (
    APPOINTMENT_TYPE,
    EQUIPMENT,
    LOCATION,
    PRACTITIONER,
    ROOM,
    CatalogEvent,
)
from clinic_contracts.primitives import CurrencyCode, Money


class PractitionerStatus(StrEnum):
    """Lifecycle of a practitioner profile; only ``active`` practitioners are bookable."""

    DRAFT = "draft"
    ACTIVE = "active"
    INACTIVE = "inactive"


class ConsultationMode(StrEnum):
    """How an appointment type is delivered."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"


class PractitionerUpserted(CatalogEvent):
    """A practitioner's profile was created or changed; carries its full current state."""

    event_type: ClassVar[str] = "clinic.booking.practitioner.upserted.v1"
    key_field: ClassVar[str] = "practitioner_id"
    model_config = with_examples(
        {
            "practitioner_id": PRACTITIONER,
            "display_name": "Dr. Lin",
            "status": "active",
            "location_ids": [LOCATION],
            "specialties": ["physiotherapy"],
        }
    )

    practitioner_id: UUID = Field(description="Id of the practitioner; the message key.")
    display_name: str = Field(min_length=1, max_length=200, description="Name shown to patients.")
    status: PractitionerStatus = Field(description="Profile status; only active is bookable.")
    location_ids: list[UUID] = Field(description="Locations where the practitioner works.")
    specialties: list[str] = Field(description="Free-text specialty tags, e.g. 'physiotherapy'.")


class PractitionerRetired(CatalogEvent):
    """A practitioner left for good; replicas drop them."""

    event_type: ClassVar[str] = "clinic.booking.practitioner.retired.v1"
    key_field: ClassVar[str] = "practitioner_id"
    model_config = with_examples({"practitioner_id": PRACTITIONER})

    practitioner_id: UUID = Field(description="Id of the retired practitioner; the message key.")


class AppointmentTypeUpserted(CatalogEvent):
    """An appointment type and its booking policies were created or changed."""

    event_type: ClassVar[str] = "clinic.booking.appointment_type.upserted.v1"
    key_field: ClassVar[str] = "appointment_type_id"
    model_config = with_examples(
        {
            "appointment_type_id": APPOINTMENT_TYPE,
            "slug": "first-visit",
            "name": "First visit",
            "duration_minutes": 45,
            "buffer_before_minutes": 5,
            "buffer_after_minutes": 10,
            "min_notice_minutes": 120,
            "max_future_days": 60,
            "reschedule_limit": 2,
            "cancellation_notice_minutes": 1440,
            "consultation_mode": "in_person",
            "price": "1200.00",
            "currency": "TWD",
            "default_room_id": ROOM,
            "required_equipment_ids": [EQUIPMENT],
            "active": True,
        }
    )

    appointment_type_id: UUID = Field(description="Id of the appointment type; the message key.")
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", description="URL-safe unique name.")
    name: str = Field(min_length=1, max_length=200, description="Display name.")
    duration_minutes: int = Field(ge=1, description="Length of the appointment, elapsed minutes.")
    buffer_before_minutes: int = Field(ge=0, description="Time kept free before it, minutes.")
    buffer_after_minutes: int = Field(ge=0, description="Time kept free after it, minutes.")
    min_notice_minutes: int = Field(ge=0, description="Earliest bookable start is now + this.")
    max_future_days: int = Field(ge=0, description="Latest bookable day, counted from today.")
    reschedule_limit: int = Field(ge=0, description="How many times one booking may be moved.")
    cancellation_notice_minutes: int = Field(
        ge=0, description="Patients may cancel up to this many minutes before the start."
    )
    consultation_mode: ConsultationMode = Field(description="In person, video or phone.")
    price: Money = Field(description="Price as a decimal string, e.g. '1200.00'.")
    currency: CurrencyCode = Field(description="ISO 4217 currency code of the price.")
    default_room_id: UUID | None = Field(default=None, description="Room used unless chosen.")
    required_equipment_ids: list[UUID] = Field(
        default_factory=list, description="Equipment every appointment of this type occupies."
    )
    active: bool = Field(description="False while the type cannot be booked.")


class AppointmentTypeRetired(CatalogEvent):
    """An appointment type was retired; existing appointments keep their own copy of times."""

    event_type: ClassVar[str] = "clinic.booking.appointment_type.retired.v1"
    key_field: ClassVar[str] = "appointment_type_id"
    model_config = with_examples({"appointment_type_id": APPOINTMENT_TYPE})

    appointment_type_id: UUID = Field(description="Id of the retired type; the message key.")
