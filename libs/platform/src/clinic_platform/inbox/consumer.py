"""The one consumer wrapper: a consumer group whose offsets follow the inbox, never lead it."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

from clinic_contracts import dlq_topic, payload_class
from clinic_platform.inbox.delivery import (
    INFRASTRUCTURE_ERRORS,
    Applier,
    EventHandler,
    Outcome,
    Poison,
    Record,
    decode,
)
from clinic_platform.kafka import RETRYABLE_KAFKA_ERRORS, create_producer
from clinic_platform.metrics.instruments import CONSUMER_RECORDS, DEAD_LETTERED
from clinic_platform.store.sessions import Sessions

log = logging.getLogger(__name__)

ConsumerStats = Counter[Outcome]
# Waiting out an outage must not stall a graceful stop: give up a retry loop when asked to stop.
_OUTAGE_ERRORS = (*INFRASTRUCTURE_ERRORS, *RETRYABLE_KAFKA_ERRORS)


class ConsumerStopping(Exception):
    """Raised inside a retry loop when the consumer is asked to stop."""


class EventConsumer:
    """Consumes `handlers`' event types for one group: applies each once, dead-letters poison."""

    def __init__(
        self,
        sessions: Sessions,
        bootstrap_servers: list[str],
        *,
        group_id: str,
        handlers: Mapping[str, EventHandler],
        topics: Sequence[str] | None = None,
        max_attempts: int = 3,
        retry_delay_s: float = 0.2,
        max_backoff_s: float = 5.0,
    ) -> None:
        self.group_id = group_id
        self.topics = sorted(set(topics or [payload_class(t).topic for t in handlers]))
        self.stats: ConsumerStats = Counter()
        self._servers = bootstrap_servers
        self._applier = Applier(sessions, group_id, handlers, max_attempts, retry_delay_s)
        self._max_backoff_s = max_backoff_s
        self._consumer: AIOKafkaConsumer | None = None
        self._dlq: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Offset of the record being applied per partition, while a batch is in hand: the
        # consumer's position is already past the whole batch.
        self._in_hand: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        """Consume in a background task; it joins the group once the broker answers."""
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=f"consumer-{self.group_id}")

    async def _connect(self) -> AIOKafkaConsumer:
        # A broker away at start-up delays consuming; it must not keep the service from starting.
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RETRYABLE_KAFKA_ERRORS),
            wait=wait_exponential_jitter(multiplier=0.5, max=self._max_backoff_s, jitter=0.5),
            before_sleep=self._check_stopping,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                consumer = AIOKafkaConsumer(
                    *self.topics,
                    bootstrap_servers=self._servers,
                    group_id=self.group_id,
                    client_id=self.group_id,
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                    isolation_level="read_committed",
                )
                try:
                    await consumer.start()
                except BaseException:
                    await consumer.stop()
                    raise
                return consumer
        raise AssertionError("unreachable")  # pragma: no cover

    async def stop(self, timeout_s: float = 10.0) -> None:
        """Finish the record in hand, commit what was applied, leave the group."""
        self._stopping.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout_s)
            except TimeoutError:
                log.warning("consumer %s did not stop in %ss; cancelled", self.group_id, timeout_s)
            self._task = None
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None
        if self._dlq is not None:
            await self._dlq.stop()
            self._dlq = None

    async def _run(self) -> None:
        try:
            self._consumer = consumer = await self._connect()
        except ConsumerStopping:
            return
        while not self._stopping.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=500)
            for tp, records in batches.items():
                done = await self._process_partition(records)
                if done is not None:
                    await self._commit(consumer, tp, done)
                if self._stopping.is_set():
                    return

    async def _process_partition(self, records: list[Record]) -> int | None:
        """Process records in order; return the last finished offset (None if none finished)."""
        last: int | None = None
        if not records:
            return last
        tp = TopicPartition(records[0].topic, records[0].partition)
        labels = {"consumer_group": self.group_id, "topic": tp.topic}
        try:
            for record in records:
                self._in_hand[tp] = record.offset
                try:
                    outcome = await self._until_infrastructure_returns(record)
                except ConsumerStopping:
                    return last
                self.stats[outcome] += 1
                CONSUMER_RECORDS.add(1, {**labels, "outcome": outcome.value})
                last = record.offset
        finally:
            self._in_hand.pop(tp, None)
        return last

    async def lag(self) -> dict[tuple[str, int], int]:
        """Records not yet applied per assigned partition: end offset minus the position (the
        record in hand while a batch is being applied). Empty before the group is joined."""
        consumer = self._consumer
        partitions = list(consumer.assignment()) if consumer is not None else []
        if consumer is None or not partitions:
            return {}
        ends = await consumer.end_offsets(partitions)
        lag: dict[tuple[str, int], int] = {}
        for tp in partitions:
            position = self._in_hand.get(tp)
            if position is None:
                position = await consumer.position(tp)
            lag[(tp.topic, tp.partition)] = max(0, ends[tp] - position)
        return lag

    async def _until_infrastructure_returns(self, record: Record) -> Outcome:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_OUTAGE_ERRORS),
            wait=wait_exponential_jitter(multiplier=0.2, max=self._max_backoff_s, jitter=0.2),
            before_sleep=self._check_stopping,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self.process(record)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _check_stopping(self, state: object) -> None:
        log.warning("consumer %s: database or broker unavailable, retrying", self.group_id)
        if self._stopping.is_set():
            raise ConsumerStopping

    async def process(self, record: Record) -> Outcome:
        """Apply one record once, or dead-letter it; outage errors propagate for a retry."""
        try:
            event = decode(record, self._applier.handlers)
            if event is None:
                return Outcome.IGNORED
            return await self._applier.apply(event)
        except Poison as poison:
            await self._dead_letter(record, poison)
            return Outcome.DEAD_LETTERED

    async def _dead_letter(self, record: Record, poison: Poison) -> None:
        log.error(
            "dead-lettering %s[%d]@%d: %s",
            record.topic,
            record.partition,
            record.offset,
            poison.reason,
        )
        if self._dlq is None:
            producer = create_producer(self._servers, client_id=f"{self.group_id}-dlq")
            await producer.start()
            self._dlq = producer
        headers = [
            *[(k, v) for k, v in record.headers if not k.startswith("dlq_")],
            ("dlq_reason", poison.reason.encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_attempts", str(poison.attempts).encode()),
        ]
        await self._dlq.send_and_wait(
            dlq_topic(record.topic, self.group_id), record.value, key=record.key, headers=headers
        )
        DEAD_LETTERED.add(
            1, {"consumer_group": self.group_id, "topic": record.topic, "reason": poison.kind.value}
        )

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        try:
            await consumer.commit({tp: offset + 1})
        except RETRYABLE_KAFKA_ERRORS:
            # Losing a commit only means redelivery, which the inbox turns into a no-op.
            log.warning("offset commit failed for %s; records will be redelivered", tp)
