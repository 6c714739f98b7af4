"""What the booking service consumes: event type → handler (its publications go through the outbox)."""

from clinic_platform.inbox import EventHandler

HANDLERS: dict[str, EventHandler] = {}
