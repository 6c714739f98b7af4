"""The one way to build Kafka producers: idempotent, acks=all, bounded timeouts."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

RETRYABLE_KAFKA_ERRORS: tuple[type[BaseException], ...]

try:  # aiokafka exposes one base for every broker and client error
    from aiokafka.errors import KafkaError

    RETRYABLE_KAFKA_ERRORS = (KafkaError, OSError, TimeoutError)
except ImportError:  # pragma: no cover - aiokafka always ships it
    RETRYABLE_KAFKA_ERRORS = (OSError, TimeoutError)


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
