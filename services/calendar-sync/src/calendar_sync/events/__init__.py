"""Consumed event types → handlers (publications go through the outbox, not here)."""

from clinic_platform.inbox import EventHandler

HANDLERS: dict[str, EventHandler] = {}
