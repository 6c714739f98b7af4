"""Turn a payload into a Kafka message (key, JSON body, CloudEvents headers) and back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from clinic_contracts.envelope import CloudEvent, Headers
from clinic_contracts.errors import InvalidEnvelope
from clinic_contracts.events.base import EventPayload
from clinic_contracts.registry import payload_class


@dataclass(frozen=True, slots=True)
class KafkaMessage:
    """Everything a producer sends: topic, key, body and headers."""

    topic: str
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True, slots=True)
class DecodedMessage:
    """A received message: its envelope and its validated payload."""

    envelope: CloudEvent
    payload: EventPayload


def encode(
    payload: EventPayload,
    *,
    source: str,
    tenantid: UUID,
    time: dt.datetime,
    subject: str | None = None,
    traceparent: str | None = None,
    event_id: str | None = None,
) -> KafkaMessage:
    """Wrap ``payload`` in a CloudEvent and serialise it for its own topic and key."""
    envelope = CloudEvent(
        source=source,
        type=payload.event_type,
        time=time,
        subject=subject,
        tenantid=tenantid,
        traceparent=traceparent,
        **({"id": event_id} if event_id is not None else {}),
    )
    return KafkaMessage(
        topic=payload.topic,
        key=payload.message_key().encode(),
        value=payload.model_dump_json().encode(),
        headers=envelope.to_headers(),
    )


def decode(headers: Headers, value: bytes) -> DecodedMessage:
    """Parse headers and body; raises InvalidEnvelope, UnknownEventType or ValidationError."""
    envelope = CloudEvent.from_headers(headers)
    if not value:
        raise InvalidEnvelope(f"message {envelope.id} has an empty body")
    payload = payload_class(envelope.type).model_validate_json(value)
    return DecodedMessage(envelope=envelope, payload=payload)
