"""``booking.catalog.v1``: locations, practitioners, appointment types, rooms and equipment.

Compacted and keyed by the entity's id, so the latest record per entity is its current state;
a ``…Retired`` event is that entity's last word.
"""

from clinic_contracts.events.base import EventPayload
from clinic_contracts.events.catalog.common import TOPIC, CatalogEvent
from clinic_contracts.events.catalog.offerings import (
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    ConsultationMode,
    PractitionerRetired,
    PractitionerStatus,
    PractitionerUpserted,
)
from clinic_contracts.events.catalog.sites import (
    EquipmentRetired,
    EquipmentUpserted,
    LocationRetired,
    LocationUpserted,
    RoomRetired,
    RoomUpserted,
)

PAYLOADS: tuple[type[EventPayload], ...] = (
    LocationUpserted,
    LocationRetired,
    PractitionerUpserted,
    PractitionerRetired,
    AppointmentTypeUpserted,
    AppointmentTypeRetired,
    RoomUpserted,
    RoomRetired,
    EquipmentUpserted,
    EquipmentRetired,
)

__all__ = [
    "PAYLOADS",
    "TOPIC",
    "AppointmentTypeRetired",
    "AppointmentTypeUpserted",
    "CatalogEvent",
    "ConsultationMode",
    "EquipmentRetired",
    "EquipmentUpserted",
    "LocationRetired",
    "LocationUpserted",
    "PractitionerRetired",
    "PractitionerStatus",
    "PractitionerUpserted",
    "RoomRetired",
    "RoomUpserted",
]
