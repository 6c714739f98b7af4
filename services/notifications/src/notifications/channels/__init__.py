"""Channels behind one interface: email (SMTP), SMS and LINE (HTTP providers), signed webhooks."""

from notifications.channels.base import (
    Outgoing,
    PermanentFailure,
    RetryableFailure,
    Sender,
    Senders,
)

__all__ = ["Outgoing", "PermanentFailure", "RetryableFailure", "Sender", "Senders"]
