"""Locations (with their time zone), rooms and equipment."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from clinic_contracts.events.base import with_examples
from clinic_contracts.events.catalog.common import EQUIPMENT, LOCATION, ROOM, CatalogEvent
from clinic_contracts.primitives import IanaTimezone


class LocationUpserted(CatalogEvent):
    """A location (clinic site) was created or changed; carries its full current state."""

    event_type: ClassVar[str] = "clinic.booking.location.upserted.v1"
    key_field: ClassVar[str] = "location_id"
    model_config = with_examples(
        {
            "location_id": LOCATION,
            "name": "Da'an Clinic",
            "address": "1 Fuxing S Rd, Taipei",
            "timezone": "Asia/Taipei",
            "active": True,
        }
    )

    location_id: UUID = Field(description="Id of the location; the message key.")
    name: str = Field(min_length=1, max_length=200, description="Display name of the location.")
    address: str = Field(max_length=500, description="Postal address, one free-text line.")
    timezone: IanaTimezone = Field(description="IANA zone in which all its rule times apply.")
    active: bool = Field(description="False while the location takes no bookings.")


class LocationRetired(CatalogEvent):
    """A location was permanently retired; replicas drop it."""

    event_type: ClassVar[str] = "clinic.booking.location.retired.v1"
    key_field: ClassVar[str] = "location_id"
    model_config = with_examples({"location_id": LOCATION})

    location_id: UUID = Field(description="Id of the retired location; the message key.")


class RoomUpserted(CatalogEvent):
    """A room was created or changed."""

    event_type: ClassVar[str] = "clinic.booking.room.upserted.v1"
    key_field: ClassVar[str] = "room_id"
    model_config = with_examples(
        {
            "room_id": ROOM,
            "location_id": LOCATION,
            "name": "Room 2",
            "capacity": 1,
            "virtual": False,
        }
    )

    room_id: UUID = Field(description="Id of the room; the message key.")
    location_id: UUID = Field(description="Location the room belongs to.")
    name: str = Field(min_length=1, max_length=200, description="Display name of the room.")
    capacity: int = Field(ge=1, description="Concurrent appointments it holds; 1 is exclusive.")
    virtual: bool = Field(description="True for a video room that has no physical place.")


class RoomRetired(CatalogEvent):
    """A room was retired."""

    event_type: ClassVar[str] = "clinic.booking.room.retired.v1"
    key_field: ClassVar[str] = "room_id"
    model_config = with_examples({"room_id": ROOM})

    room_id: UUID = Field(description="Id of the retired room; the message key.")


class EquipmentUpserted(CatalogEvent):
    """A single piece of equipment was created or changed (capacity is always one)."""

    event_type: ClassVar[str] = "clinic.booking.equipment.upserted.v1"
    key_field: ClassVar[str] = "equipment_id"
    model_config = with_examples(
        {"equipment_id": EQUIPMENT, "location_id": LOCATION, "name": "Ultrasound unit"}
    )

    equipment_id: UUID = Field(description="Id of the equipment; the message key.")
    location_id: UUID = Field(description="Location the equipment belongs to.")
    name: str = Field(min_length=1, max_length=200, description="Display name.")


class EquipmentRetired(CatalogEvent):
    """A piece of equipment was retired."""

    event_type: ClassVar[str] = "clinic.booking.equipment.retired.v1"
    key_field: ClassVar[str] = "equipment_id"
    model_config = with_examples({"equipment_id": EQUIPMENT})

    equipment_id: UUID = Field(description="Id of the retired equipment; the message key.")
