"""Which consumer group reads which topics: the source of each group's dead-letter topics."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from clinic_contracts.events import appointments, availability, calendar_sync, catalog, patients

# A group is named after its service (one name everywhere). Analytics teams' groups are theirs
# to provision; only the platform's own groups are declared here.
CONSUMER_GROUPS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "booking": (calendar_sync.TOPIC,),
        "schedules": (catalog.TOPIC, appointments.TOPIC, calendar_sync.TOPIC),
        "notifications": (patients.TOPIC, catalog.TOPIC, appointments.TOPIC),
        "calendar-sync": (catalog.TOPIC, appointments.TOPIC, availability.TOPIC),
    }
)
