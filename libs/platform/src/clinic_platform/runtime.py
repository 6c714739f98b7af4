"""A service's moving parts built from its settings, and the app lifecycle that starts them."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from clinic_platform.auth import CurrentPrincipal
from clinic_platform.health import database_check, kafka_check
from clinic_platform.inbox import EventConsumer, EventHandler
from clinic_platform.inbox.replay import declared_topics
from clinic_platform.metrics import MetricsSampler
from clinic_platform.metrics import instruments as gauges
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.sessions import Sessions, create_engine, create_sessions
from clinic_platform.store.unit_of_work import UnitOfWork
from clinic_platform.telemetry import instrument_sqlalchemy, setup_telemetry
from clinic_platform.web import create_service_api

# A background loop of the service (e.g. a sweeper); it returns once the event is set.
Worker = Callable[[asyncio.Event], Coroutine[Any, Any, None]]
Closer = Callable[[], Awaitable[None]]


@dataclass
class Runtime:
    """Everything a service's adapters need; built once in `app.py`, nothing connects yet."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: Sessions
    outbox: OutboxWriter
    relay: OutboxRelay
    consumer: EventConsumer | None
    sampler: MetricsSampler
    workers: list[Worker] = field(default_factory=list)
    closers: list[Closer] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def unit_of_work(self, tenant_id: UUID) -> UnitOfWork:
        """A unit of work for `tenant_id` whose commit wakes the relay at once."""
        return UnitOfWork(self.sessions, self.outbox, tenant_id, on_commit=self.relay.wake)

    async def start(self) -> None:
        """Start the outbox relay, the consumer group, the metrics sampler and the workers."""
        self.relay.start()
        if self.consumer is not None:
            await self.consumer.start()
        self._stop.clear()
        gauges.register(self.sampler)
        workers = [self.sampler.run, *self.workers]
        self._tasks = [asyncio.create_task(worker(self._stop)) for worker in workers]

    async def stop(self) -> None:
        """Stop consuming, flush the relay, release connections."""
        self._stop.set()
        gauges.unregister(self.sampler)
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=5)
        if self.consumer is not None:
            await self.consumer.stop()
        await self.relay.stop()
        for close in self.closers:
            await close()
        await self.engine.dispose()


def get_runtime(request: Request) -> Runtime:
    """The runtime of the app serving `request` (a FastAPI dependency)."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_unit_of_work(runtime: RuntimeDep, principal: CurrentPrincipal) -> UnitOfWork:
    """A unit of work in the caller's tenant; its commit wakes the outbox relay."""
    return runtime.unit_of_work(principal.tenant_id)


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]


def build_runtime(
    settings: ServiceSettings, handlers: Mapping[str, EventHandler] | None = None
) -> Runtime:
    """Wire engine, sessions, outbox and (when handlers are given) the service's consumer group."""
    setup_telemetry(settings.service_name, settings.otlp_endpoint)
    engine = create_engine(settings.database_url)
    if settings.otlp_endpoint:  # per-query spans only when something collects them
        instrument_sqlalchemy(engine)
    sessions = create_sessions(engine)
    relay = OutboxRelay(
        sessions,
        settings.kafka_servers,
        client_id=f"{settings.service_name}-outbox",
        poll_interval_s=settings.outbox_poll_interval_s,
    )
    consumer = None
    if handlers:
        consumer = EventConsumer(
            sessions,
            settings.kafka_servers,
            group_id=settings.service_name,
            handlers=handlers,
            # Dead-letter topics are provisioned from CONSUMER_GROUPS: an undeclared subscription
            # would have no DLQ, so a poison message on it would be retried forever.
            topics=declared_topics(settings.service_name, handlers),
            max_attempts=settings.consumer_max_attempts,
        )
    sampler = MetricsSampler(sessions, consumer, interval_s=settings.metrics_interval_s)
    return Runtime(
        settings, engine, sessions, OutboxWriter(settings.service_name), relay, consumer, sampler
    )


def create_app(runtime: Runtime, *, title: str, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The service's FastAPI app: its routers, health probes, and the runtime's lifecycle."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        # Everything loaded so far (modules, routes, schemas) lives as long as the process:
        # moved out of the collector's reach, full collections stop rescanning it mid-request.
        gc.freeze()
        try:
            yield
        finally:
            await runtime.stop()

    app = create_service_api(
        runtime.settings,
        title=title,
        routers=routers,
        readiness={
            "database": database_check(runtime.engine),
            "kafka": kafka_check(runtime.settings.kafka_servers),
        },
        # With the broker away the outbox still takes every event (they wait, none is lost), so
        # the service keeps serving; without its database it cannot, and leaves rotation.
        degradable={"kafka"},
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    return app
