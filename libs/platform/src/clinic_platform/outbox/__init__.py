"""Transactional outbox: events commit with the state change; a relay publishes them to Kafka."""

from clinic_platform.outbox.relay import OutboxRelay, RelayStats
from clinic_platform.outbox.writer import OutboxWriter

__all__ = ["OutboxRelay", "OutboxWriter", "RelayStats"]
