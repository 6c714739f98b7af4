"""Every event type of every topic, mapped to its payload class."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from clinic_contracts.errors import UnknownEventType
from clinic_contracts.events import (
    appointments,
    availability,
    calendar_sync,
    catalog,
    notifications,
    patients,
)
from clinic_contracts.events.base import EventPayload

ALL_PAYLOADS: tuple[type[EventPayload], ...] = (
    *catalog.PAYLOADS,
    *patients.PAYLOADS,
    *appointments.PAYLOADS,
    *availability.PAYLOADS,
    *calendar_sync.PAYLOADS,
    *notifications.PAYLOADS,
)


def _index(payloads: tuple[type[EventPayload], ...]) -> Mapping[str, type[EventPayload]]:
    index: dict[str, type[EventPayload]] = {}
    for cls in payloads:
        if cls.event_type in index:
            raise RuntimeError(f"{cls.event_type} is declared twice ({cls.__name__})")
        index[cls.event_type] = cls
    return MappingProxyType(index)


EVENT_TYPES: Mapping[str, type[EventPayload]] = _index(ALL_PAYLOADS)


def payload_class(event_type: str) -> type[EventPayload]:
    """The payload class registered for ``event_type``; raises ``UnknownEventType``."""
    try:
        return EVENT_TYPES[event_type]
    except KeyError:
        raise UnknownEventType(f"no payload class for event type {event_type!r}") from None
