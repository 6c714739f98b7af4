"""The relay: publishes committed outbox rows to Kafka in id order, then marks them sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession
from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential_jitter

from clinic_platform.kafka import RETRYABLE_KAFKA_ERRORS, create_producer
from clinic_platform.metrics.instruments import OUTBOX_PUBLISHED
from clinic_platform.store.platform_tables import outbox
from clinic_platform.store.sessions import Sessions, system_transaction

log = logging.getLogger(__name__)

# Several relays may run; one transaction-scoped advisory lock lets only one publish at a time,
# which is what keeps per-key order (SKIP LOCKED alone would let a later row overtake).
RELAY_LOCK_KEY = zlib.crc32(b"clinic_outbox_relay")
PURGE_EVERY_S = 600.0
RELAY_FAILURES = (*RETRYABLE_KAFKA_ERRORS, DBAPIError, RuntimeError)


class RelayBatchFailed(RuntimeError):
    """Some rows of a batch could not be published; they stay pending for the next try."""


@dataclass
class RelayStats:
    """Counters a relay keeps for health and benchmarks."""

    published: int = 0
    failed_batches: int = 0


class OutboxRelay:
    """Publishes pending outbox rows with an idempotent producer; backs off while Kafka is away."""

    def __init__(
        self,
        sessions: Sessions,
        bootstrap_servers: list[str],
        *,
        client_id: str = "outbox-relay",
        batch_size: int = 500,
        poll_interval_s: float = 0.1,
        max_backoff_s: float = 5.0,
        retention: timedelta = timedelta(days=7),
    ) -> None:
        self._sessions = sessions
        self._servers = bootstrap_servers
        self._client_id = client_id
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._max_backoff_s = max_backoff_s
        self._retention = retention
        self._producer: AIOKafkaProducer | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._last_purge = time.monotonic()
        self.stats = RelayStats()

    def start(self) -> None:
        """Run the relay loop in a background task."""
        self._stopping.clear()
        self._task = asyncio.create_task(self.run(), name=self._client_id)

    async def stop(self, timeout_s: float = 5.0) -> None:
        """Finish the batch in hand, then stop and close the producer."""
        self._stopping.set()
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout_s)
            except TimeoutError:
                log.warning("outbox relay did not stop in %ss; cancelled", timeout_s)
            self._task = None
        await self._close_producer()

    def wake(self) -> None:
        """Publish now instead of at the next poll (after a local commit)."""
        self._wake.set()

    async def run(self) -> None:
        """Loop until stopped: drain pending rows, then wait for a wake-up or the poll interval."""
        while not self._stopping.is_set():
            # Cleared before the batch, so a wake-up that arrives during it is not lost.
            self._wake.clear()
            published = await self._publish_with_backoff()
            if published < self._batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)

    async def _publish_with_backoff(self) -> int:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(RELAY_FAILURES),
            wait=wait_exponential_jitter(multiplier=0.1, max=self._max_backoff_s, jitter=0.1),
            before_sleep=self._on_failure,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                if self._stopping.is_set():
                    return 0
                return await self.publish_batch()
        return 0  # pragma: no cover - tenacity either returns or raises

    async def _on_failure(self, state: object) -> None:
        self.stats.failed_batches += 1
        log.warning("outbox relay: Kafka or database unavailable, backing off")
        await self._close_producer()  # a fresh producer after an outage resets its sequence state

    async def publish_batch(self) -> int:
        """Publish one batch of pending rows in id order; return how many reached Kafka."""
        async with system_transaction(self._sessions) as session:
            if not await session.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY))):
                return 0
            rows = (
                await session.execute(
                    select(
                        outbox.c.id,
                        outbox.c.topic,
                        outbox.c.message_key,
                        outbox.c.headers,
                        outbox.c.body,
                    )
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.id)
                    .limit(self._batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                await self._purge(session)
                return 0
            sent, failed, error = await self._send(rows)
            sent_ids = set(sent)
            topics = Counter(row.topic for row in rows if row.id in sent_ids)
            if sent:
                await session.execute(
                    update(outbox).where(outbox.c.id.in_(sent)).values(published_at=func.now())
                )
            if failed:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(failed))
                    .values(attempts=outbox.c.attempts + 1, last_error=error[:500])
                )
        self.stats.published += len(sent)
        for topic, count in topics.items():  # counted once the rows are marked sent
            OUTBOX_PUBLISHED.add(count, {"topic": topic})
        if failed:
            raise RelayBatchFailed(f"{len(failed)} outbox rows not published: {error}")
        return len(sent)

    async def _send(
        self, rows: Sequence[Row[Any, Any, Any, Any, Any]]
    ) -> tuple[list[int], list[int], str]:
        producer = await self._ensure_producer()
        futures = []
        for row in rows:
            headers = [(k, v.encode()) for k, v in row.headers]
            futures.append(
                await producer.send(
                    row.topic, row.body, key=row.message_key.encode(), headers=headers
                )
            )
        results = await asyncio.gather(*futures, return_exceptions=True)
        sent: list[int] = []
        failed: list[int] = []
        errors: list[BaseException] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failed.append(row.id)
                errors.append(result)
            else:
                sent.append(row.id)
        return sent, failed, repr(errors[0]) if errors else ""

    async def _purge(self, session: AsyncSession) -> None:
        # Sent rows are kept a while for inspection, then dropped at an idle moment.
        if time.monotonic() - self._last_purge < PURGE_EVERY_S:
            return
        self._last_purge = time.monotonic()
        await session.execute(
            delete(outbox).where(outbox.c.published_at < func.now() - self._retention)
        )

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = create_producer(self._servers, client_id=self._client_id)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _close_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except RETRYABLE_KAFKA_ERRORS:
                log.debug("producer stop failed after outage", exc_info=True)
