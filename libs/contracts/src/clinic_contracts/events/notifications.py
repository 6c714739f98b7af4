"""``notifications.deliveries.v1``: the outcome of each notification delivery.

Keyed by recipient id (not appointment id, which some notifications lack), so one recipient's
deliveries stay in order for rate limits and per-patient delivery history.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field
from pydantic.config import JsonDict

from clinic_contracts.events.base import EventPayload, with_examples
from clinic_contracts.primitives import LanguageTag, UtcDatetime

TOPIC = "notifications.deliveries.v1"
_DELIVERY: JsonDict = {
    "delivery_id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
    "recipient_id": "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f",
    "appointment_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "event_id": "5f0c6a1e-2b3d-4c5e-8f9a-0b1c2d3e4f5a",
    "channel": "line",
    "template": "appointment_confirmed",
    "language": "zh-Hant",
    "attempts": 1,
}


class NotificationChannel(StrEnum):
    """Channel a notification went out on."""

    EMAIL = "email"
    SMS = "sms"
    LINE = "line"
    WEBHOOK = "webhook"


class _Delivery(EventPayload):
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "recipient_id"

    delivery_id: UUID = Field(description="Id of the delivery in the notifications log.")
    recipient_id: UUID = Field(description="Patient or user notified; the message key.")
    appointment_id: UUID | None = Field(default=None, description="Appointment it is about.")
    event_id: str = Field(min_length=1, description="ce_id of the event that triggered it.")
    channel: NotificationChannel = Field(description="Channel used.")
    template: str = Field(min_length=1, max_length=100, description="Template name used.")
    language: LanguageTag = Field(description="BCP 47 tag of the language sent.")
    attempts: int = Field(ge=1, description="Delivery attempts so far, this one included.")


class NotificationSent(_Delivery):
    """A notification was handed to its channel's provider."""

    event_type: ClassVar[str] = "clinic.notifications.notification.sent.v1"
    model_config = with_examples({**_DELIVERY, "sent_at": "2025-01-10T02:00:05Z"})

    sent_at: UtcDatetime = Field(description="When the provider accepted it, UTC.")


class NotificationFailed(_Delivery):
    """A delivery attempt failed; ``will_retry`` tells whether another attempt follows."""

    event_type: ClassVar[str] = "clinic.notifications.notification.failed.v1"
    model_config = with_examples(
        {
            **_DELIVERY,
            "attempts": 3,
            "failed_at": "2025-01-10T02:30:00Z",
            "reason": "LINE API 400: invalid user id",
            "will_retry": False,
        }
    )

    failed_at: UtcDatetime = Field(description="When the attempt failed, UTC.")
    reason: str = Field(max_length=1000, description="Provider's or our error, without PII.")
    will_retry: bool = Field(description="False when this was the last attempt.")


PAYLOADS: tuple[type[EventPayload], ...] = (NotificationSent, NotificationFailed)
