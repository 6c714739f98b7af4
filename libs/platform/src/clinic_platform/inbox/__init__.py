"""Idempotent consumers: each event applied once, offsets committed after, poison to the DLQ."""

from clinic_platform.inbox.consumer import ConsumerStats, EventConsumer
from clinic_platform.inbox.delivery import EventHandler, Outcome, ReceivedEvent

__all__ = ["ConsumerStats", "EventConsumer", "EventHandler", "Outcome", "ReceivedEvent"]
