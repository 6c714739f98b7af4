"""The one way to build Kafka producers: idempotent, acks=all, bounded timeouts."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

# Errors that mean "the broker is away or busy": retried with backoff, never dead-lettered.
RETRYABLE_KAFKA_ERRORS: tuple[type[BaseException], ...] = (KafkaError, OSError, TimeoutError)


def create_producer(
    bootstrap_servers: list[str], *, client_id: str, request_timeout_ms: int = 10_000
) -> AIOKafkaProducer:
    """An idempotent producer (`acks=all`): broker-side retries never write a message twice."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        request_timeout_ms=request_timeout_ms,
        retry_backoff_ms=200,
    )
