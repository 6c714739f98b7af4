"""Applying one Kafka record: decode, deduplicate in the inbox, run the handler or dead-letter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from opentelemetry.trace import SpanKind
from pydantic import ValidationError
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import CloudEvent, EventPayload, payload_class
from clinic_platform.store.platform_tables import inbox
from clinic_platform.store.sessions import Sessions, tenant_transaction
from clinic_platform.telemetry import context_from_traceparent, tracer

log = logging.getLogger(__name__)

# Errors that mean "the database is away", not "this message is bad": never dead-letter on them.
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError, OSError)


class Record(Protocol):
    """The parts of a Kafka consumer record the wrapper reads (aiokafka's ConsumerRecord)."""

    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...
    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def headers(self) -> Sequence[tuple[str, bytes]]: ...


class Outcome(StrEnum):
    """What happened to one record."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"
    DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class ReceivedEvent:
    """A decoded event with where it came from."""

    envelope: CloudEvent
    payload: EventPayload
    topic: str
    partition: int
    offset: int


EventHandler = Callable[[AsyncSession, ReceivedEvent], Awaitable[None]]


class PoisonKind(StrEnum):
    """Why a record is poison, in one word (the dead-letter counter's `reason`)."""

    INVALID_ENVELOPE = "invalid_envelope"
    INVALID_PAYLOAD = "invalid_payload"
    HANDLER_FAILED = "handler_failed"


class Poison(Exception):
    """A record that can never be applied; `reason` goes into the dead-letter header."""

    def __init__(self, reason: str, attempts: int = 0, *, kind: PoisonKind) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.kind = kind


def decode(record: Record, handled: Mapping[str, EventHandler]) -> ReceivedEvent | None:
    """Decode a record into an event, None when this consumer has no handler for its type."""
    try:
        envelope = CloudEvent.from_headers(record.headers)
    except ValueError as exc:
        raise Poison(f"invalid envelope: {exc}", kind=PoisonKind.INVALID_ENVELOPE) from exc
    if envelope.type not in handled:
        return None
    try:
        payload = payload_class(envelope.type).model_validate_json(record.value or b"")
    except ValidationError as exc:
        reason = f"invalid payload for {envelope.type}: {_first_error(exc)}"
        raise Poison(reason, kind=PoisonKind.INVALID_PAYLOAD) from exc
    return ReceivedEvent(envelope, payload, record.topic, record.partition, record.offset)


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "(body)"
    return f"{field}: {first['msg']}"


@dataclass
class Applier:
    """Applies decoded events once per consumer group, retrying a failing handler a few times."""

    sessions: Sessions
    group_id: str
    handlers: Mapping[str, EventHandler]
    max_attempts: int = 3
    retry_delay_s: float = 0.2

    async def apply(self, event: ReceivedEvent) -> Outcome:
        """Apply `event` with its inbox row in one transaction; raise Poison if it keeps failing."""
        handler = self.handlers[event.envelope.type]
        for attempt in range(1, self.max_attempts + 1):
            try:
                return await self._apply_once(handler, event)
            except INFRASTRUCTURE_ERRORS:
                raise
            except Exception as exc:
                log.warning(
                    "handler failed on %s (attempt %d): %r", event.envelope.id, attempt, exc
                )
                if attempt == self.max_attempts:
                    reason = f"handler failed {attempt} times: {exc!r}"[:500]
                    raise Poison(reason, attempt, kind=PoisonKind.HANDLER_FAILED) from exc
                await asyncio.sleep(self.retry_delay_s * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _apply_once(self, handler: EventHandler, event: ReceivedEvent) -> Outcome:
        env = event.envelope
        with tracer(__name__).start_as_current_span(
            f"consume {env.type}",
            context=context_from_traceparent(env.traceparent),
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "kafka",
                "messaging.destination.name": event.topic,
                "messaging.message.id": env.id,
                "messaging.consumer.group.name": self.group_id,
            },
        ):
            async with tenant_transaction(self.sessions, env.tenantid) as session:
                if not await record_in_inbox(session, self.group_id, event):
                    return Outcome.DUPLICATE
                await handler(session, event)
        return Outcome.APPLIED


# Built once: a statement built per event costs more CPU than its round trip (replays feel it).
_CLAIM = insert(inbox).on_conflict_do_nothing().returning(inbox.c.event_id)


async def record_in_inbox(session: AsyncSession, group_id: str, event: ReceivedEvent) -> bool:
    """Claim `event` for `group_id` in the session's transaction; False if already applied."""
    env = event.envelope
    row = {
        "consumer_group": group_id,
        "event_id": env.id,
        "tenant_id": env.tenantid,
        "event_type": env.type,
        "topic": event.topic,
        "partition": event.partition,
        "offset": event.offset,
    }
    return await session.scalar(_CLAIM, row) is not None
