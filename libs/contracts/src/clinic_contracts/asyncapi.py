"""The AsyncAPI 3.0 document of every topic, message and publishing operation."""

from __future__ import annotations

from pydantic.json_schema import models_json_schema

from clinic_contracts.envelope import HEADER_ATTRIBUTES, REQUIRED_HEADERS, CloudEvent
from clinic_contracts.registry import EVENT_TYPES
from clinic_contracts.schema import JsonSchema
from clinic_contracts.topics import TOPICS, TopicSpec

_KAFKA_BINDING = "0.5.0"
_HEADERS = "CloudEventHeaders"


def _headers_schema() -> JsonSchema:
    envelope = CloudEvent.model_json_schema()["properties"]
    properties = {
        header: {"type": "string", "description": envelope[attr]["description"]}
        for header, attr in HEADER_ATTRIBUTES.items()
    }
    return {
        "type": "object",
        "description": "CloudEvents 1.0 attributes in Kafka binary content mode.",
        "properties": properties,
        "required": list(REQUIRED_HEADERS),
    }


def _payload_schemas() -> dict[str, JsonSchema]:
    _keys, defs = models_json_schema(
        [(cls, "validation") for cls in EVENT_TYPES.values()],
        ref_template="#/components/schemas/{model}",
    )
    return dict(defs["$defs"])


def _channel(spec: TopicSpec) -> JsonSchema:
    topic_config: JsonSchema = {
        "cleanup.policy": ["compact" if spec.compacted else "delete"],
        "retention.ms": -1 if spec.retention_ms is None else spec.retention_ms,
    }
    return {
        "address": spec.name,
        "description": f"{spec.description} Key: {spec.key}."
        + (" Access-restricted (PII)." if spec.restricted else ""),
        "messages": {t: {"$ref": f"#/components/messages/{t}"} for t in spec.event_types},
        "bindings": {
            "kafka": {
                "topic": spec.name,
                "partitions": spec.partitions,
                "topicConfiguration": topic_config,
                "bindingVersion": _KAFKA_BINDING,
            }
        },
    }


def _message(event_type: str) -> JsonSchema:
    cls = EVENT_TYPES[event_type]
    return {
        "name": cls.__name__,
        "title": cls.__name__,
        "summary": (cls.__doc__ or "").strip().splitlines()[0],
        "contentType": "application/json",
        "headers": {"$ref": f"#/components/schemas/{_HEADERS}"},
        "payload": {"$ref": f"#/components/schemas/{cls.__name__}"},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"The payload's {cls.key_field}."},
                "bindingVersion": _KAFKA_BINDING,
            }
        },
        "examples": [{"name": "example", "payload": example} for example in cls.examples()],
    }


def _operation(spec: TopicSpec) -> JsonSchema:
    return {
        "action": "send",
        "title": f"{spec.owner} publishes to {spec.name}",
        "tags": [{"name": spec.owner}],
        "channel": {"$ref": f"#/channels/{spec.name}"},
        "messages": [{"$ref": f"#/channels/{spec.name}/messages/{t}"} for t in spec.event_types],
    }


def asyncapi_document() -> JsonSchema:
    """The whole AsyncAPI 3.0 document as JSON-ready data."""
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Clinic scheduling platform events",
            "version": "1.0.0",
            "description": "Every Kafka topic of the platform, generated from clinic_contracts.",
        },
        "defaultContentType": "application/json",
        "channels": {spec.name: _channel(spec) for spec in TOPICS},
        "operations": {f"{spec.owner}.publish.{spec.name}": _operation(spec) for spec in TOPICS},
        "components": {
            "schemas": {_HEADERS: _headers_schema(), **_payload_schemas()},
            "messages": {t: _message(t) for spec in TOPICS for t in spec.event_types},
        },
    }
