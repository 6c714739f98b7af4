"""Reading the outbox backlog and the consumer lag every few seconds for the gauges."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from typing import Any, Protocol, TypeVar

from sqlalchemy import extract, func, select

from clinic_platform.metrics.instruments import OutboxSample, Samples
from clinic_platform.store.platform_tables import outbox
from clinic_platform.store.sessions import Sessions, system_transaction

log = logging.getLogger(__name__)
T = TypeVar("T")

# The oldest pending row is the first by id (the relay's own partial index), found at once.
_OLDEST = (
    select(extract("epoch", func.now() - outbox.c.created_at))
    .where(outbox.c.published_at.is_(None))
    .order_by(outbox.c.id)
    .limit(1)
)
_BACKLOG = select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))


class LagSource(Protocol):
    """A consumer that can tell its lag per assigned partition."""

    group_id: str

    async def lag(self) -> dict[tuple[str, int], int]: ...


class MetricsSampler:
    """Keeps `samples` fresh; a read that fails leaves its gauge empty rather than stale."""

    def __init__(
        self,
        sessions: Sessions,
        consumer: LagSource | None = None,
        *,
        interval_s: float = 10.0,
        timeout_s: float = 5.0,
    ) -> None:
        self.samples = Samples()
        self._sessions = sessions
        self._consumer = consumer
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._failing: set[str] = set()

    async def sample(self) -> Samples:
        """Read both now (each bounded by the timeout) and return what was read."""
        self.samples.outbox = await self._read("outbox", self._outbox())
        if self._consumer is not None:
            group = self._consumer.group_id
            lag = await self._read("consumer lag", self._consumer.lag())
            self.samples.lag = {(group, t, p): n for (t, p), n in (lag or {}).items()}
        return self.samples

    async def run(self, stop: asyncio.Event) -> None:
        """A runtime worker: sample, then wait the interval, until `stop` is set."""
        while not stop.is_set():
            await self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._interval_s)

    async def _outbox(self) -> OutboxSample:
        async with system_transaction(self._sessions) as session:
            backlog = int(await session.scalar(_BACKLOG) or 0)
            oldest = await session.scalar(_OLDEST) if backlog else 0
        return OutboxSample(backlog, max(0.0, float(oldest or 0)))

    async def _read(self, what: str, reading: Coroutine[Any, Any, T]) -> T | None:
        try:
            value = await asyncio.wait_for(reading, self._timeout_s)
        except Exception as exc:
            # Logged when it starts failing and when it recovers, not at every interval.
            if what not in self._failing:
                self._failing.add(what)
                log.warning("metrics: cannot read the %s: %s", what, type(exc).__name__)
            return None
        if what in self._failing:
            self._failing.discard(what)
            log.info("metrics: the %s can be read again", what)
        return value
