"""One trace spans the request that committed an event and every consumer it triggers."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import PractitionerUpserted, dlq_topic
from clinic_platform.inbox import EventConsumer, ReceivedEvent
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.provisioning import TopicPlan, provision
from clinic_platform.store.sessions import Sessions
from clinic_platform.store.unit_of_work import UnitOfWork
from clinic_platform.telemetry import setup_telemetry, tracer
from clinic_testkit.topic_reader import skip_group_to_end

from .events import practitioner_event

pytestmark = pytest.mark.integration


async def test_the_consumer_continues_the_trace_of_the_request_that_committed_the_event(
    sessions: Sessions, kafka: str
) -> None:
    setup_telemetry("booking", None)
    tenant, group = uuid4(), f"trace-{uuid4().hex[:8]}"
    seen: asyncio.Queue[int] = asyncio.Queue()

    async def remember_trace(session: AsyncSession, event: ReceivedEvent) -> None:
        if event.envelope.tenantid == tenant:
            seen.put_nowait(trace.get_current_span().get_span_context().trace_id)

    await provision([kafka], [TopicPlan(dlq_topic(PractitionerUpserted.topic, group), 1, {})])
    await skip_group_to_end(kafka, group, PractitionerUpserted.topic)
    consumer = EventConsumer(
        sessions,
        [kafka],
        group_id=group,
        handlers={PractitionerUpserted.event_type: remember_trace},
    )
    await consumer.start()
    relay = OutboxRelay(sessions, [kafka])
    try:
        with tracer("test").start_as_current_span("POST /appointments") as request_span:
            request_trace = request_span.get_span_context().trace_id
            async with UnitOfWork(sessions, OutboxWriter("booking"), tenant) as uow:
                uow.record(practitioner_event())
                await uow.commit()
        assert await relay.publish_batch() == 1
        consumer_trace = await asyncio.wait_for(seen.get(), timeout=30)
    finally:
        await relay.stop()
        await consumer.stop()
    assert consumer_trace == request_trace
