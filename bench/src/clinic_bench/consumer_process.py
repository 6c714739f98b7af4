"""The consuming service of benchmark B, in its own process as it would be in production."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from multiprocessing.connection import Connection
from typing import cast
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_bench.deadline import BenchFailure
from clinic_contracts import AppointmentConfirmed
from clinic_platform.inbox import EventConsumer, ReceivedEvent
from clinic_platform.store.sessions import create_engine, create_sessions


class AppliedAt:
    """The handler: remembers when (wall clock) each appointment's confirmation was applied."""

    def __init__(self) -> None:
        self.at: dict[UUID, float] = {}

    async def __call__(self, session: AsyncSession, event: ReceivedEvent) -> None:
        if not isinstance(event.payload, AppointmentConfirmed):
            raise TypeError(f"unexpected payload {type(event.payload).__name__}")
        self.at.setdefault(event.payload.appointment_id, time.time())


async def _serve(url: str, bootstrap: str, group: str, conn: Connection) -> None:
    engine = create_engine(url)
    applied = AppliedAt()
    consumer = EventConsumer(
        create_sessions(engine),
        [bootstrap],
        group_id=group,
        handlers={AppointmentConfirmed.event_type: applied},
    )
    await consumer.start()
    conn.send("ready")
    try:
        # The parent asks for the applied times until it has them all, then says stop.
        while await asyncio.to_thread(conn.recv) == "times":
            conn.send(dict(applied.at))
    finally:
        await consumer.stop()
        await engine.dispose()
    conn.send({str(k): v for k, v in consumer.stats.items()})


def serve(url: str, bootstrap: str, group: str, conn: Connection) -> None:
    """Child process entry point: consume until told to stop."""
    asyncio.run(_serve(url, bootstrap, group, conn))


class ConsumerProcess:
    """Starts, queries and stops the child process; every wait is bounded."""

    def __init__(self, url: str, bootstrap: str, group: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        # daemon: the child dies with the bench even if the bench is killed.
        self._process = context.Process(
            target=serve, args=(url, bootstrap, group, child), daemon=True, name=group
        )

    async def start(self, timeout_s: float = 60.0) -> None:
        """Start the child and wait until its consumer has started."""
        self._process.start()
        if await self._receive(timeout_s) != "ready":
            raise BenchFailure("B: consumer process did not report ready")

    async def applied(self) -> dict[UUID, float]:
        """Applied times so far, by appointment id."""
        self._conn.send("times")
        return cast(dict[UUID, float], await self._receive(10.0))

    async def stop(self) -> dict[str, int]:
        """Stop consuming; the consumer's outcome counts."""
        try:
            self._conn.send("stop")
            return cast(dict[str, int], await self._receive(30.0))
        finally:
            await asyncio.to_thread(self._process.join, 10.0)
            if self._process.is_alive():
                self._process.terminate()

    async def _receive(self, timeout_s: float) -> object:
        if not await asyncio.to_thread(self._conn.poll, timeout_s):
            raise BenchFailure(f"B: no answer from the consumer process in {timeout_s:.0f}s")
        return self._conn.recv()
