"""Topic name, example ids and the base shared by the catalog events."""

from __future__ import annotations

from typing import ClassVar

from clinic_contracts.events.base import EventPayload

TOPIC = "booking.catalog.v1"
LOCATION = "7d1f2c3a-8b4e-4f6a-9c0d-1e2f3a4b5c6d"
PRACTITIONER = "0b9e8d7c-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
APPOINTMENT_TYPE = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d"
ROOM = "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f"
EQUIPMENT = "e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b"


class CatalogEvent(EventPayload):
    """Base of the catalog events: compacted, keyed by the entity's own id."""

    topic: ClassVar[str] = TOPIC
