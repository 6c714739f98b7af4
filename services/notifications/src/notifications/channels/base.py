"""The one interface every channel implements, and the two ways a send can fail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from notifications.domain.model import Channel


@dataclass(frozen=True)
class Outgoing:
    """One message to hand to a provider; `delivery_id` is its idempotency key everywhere."""

    delivery_id: UUID
    tenant_id: UUID
    address: str
    text: str
    language: str
    subject: str | None = None
    html: str | None = None
    event_type: str | None = None
    secret: str | None = None  # webhooks: the tenant's signing secret


class RetryableFailure(Exception):
    """The provider may accept a later attempt (timeouts, 5xx, 429, connection errors)."""


class PermanentFailure(Exception):
    """Another attempt cannot help (invalid address, 4xx, rejected recipient)."""


class Sender(Protocol):
    """A channel's adapter: hand the message over, or raise one of the two failures."""

    channel: Channel

    async def send(self, message: Outgoing) -> None:
        """Return once the provider has accepted the message."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@dataclass
class Senders:
    """The channels this deployment offers, by channel."""

    by_channel: Mapping[Channel, Sender]

    @property
    def available(self) -> frozenset[Channel]:
        """Channels that can be used."""
        return frozenset(self.by_channel)

    def __getitem__(self, channel: Channel) -> Sender:
        return self.by_channel[channel]

    async def aclose(self) -> None:
        """Close every sender."""
        for sender in self.by_channel.values():
            await sender.aclose()
