"""JSON Schemas of the event payloads, as committed under ``libs/contracts/schemas``."""

from __future__ import annotations

from typing import Any

from clinic_contracts.events.base import EventPayload
from clinic_contracts.registry import EVENT_TYPES

JsonSchema = dict[str, Any]
"""A JSON Schema (or any JSON object) as plain Python data."""

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def event_schema(cls: type[EventPayload]) -> JsonSchema:
    """The JSON Schema of one payload class, with its type, topic and key field annotated."""
    return {
        "$schema": DIALECT,
        "$id": f"{cls.event_type}.json",
        **cls.model_json_schema(),
        "x-event-type": cls.event_type,
        "x-topic": cls.topic,
        "x-key": cls.key_field,
    }


def current_schemas() -> dict[str, JsonSchema]:
    """The schema of every registered event type, by event type."""
    return {event_type: event_schema(cls) for event_type, cls in sorted(EVENT_TYPES.items())}
