"""The consumer wrapper applies each event once and dead-letters what it cannot apply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import CloudEvent, PractitionerUpserted, dlq_topic
from clinic_platform.inbox import EventConsumer, Outcome, ReceivedEvent
from clinic_platform.provisioning import TopicPlan, provision
from clinic_platform.store.sessions import Sessions, system_transaction
from clinic_testkit.topic_reader import TopicReader, skip_group_to_end

from .conftest import notes
from .events import practitioner_event

pytestmark = pytest.mark.integration
TOPIC = PractitionerUpserted.topic
EVENT_TYPE = PractitionerUpserted.event_type


async def record_note(session: AsyncSession, event: ReceivedEvent) -> None:
    """The effect under test: one row per applied event."""
    assert isinstance(event.payload, PractitionerUpserted)
    if event.payload.display_name == "Dr. Poison":
        raise ValueError("this practitioner cannot be applied")
    await session.execute(
        notes.insert().values(tenant_id=event.envelope.tenantid, body=event.payload.display_name)
    )


@pytest.fixture
async def producer(kafka: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


@pytest.fixture
async def consumer(sessions: Sessions, kafka: str) -> AsyncIterator[EventConsumer]:
    group = f"test-{uuid4().hex[:8]}"
    # Dead-letter topics are provisioned, never auto-created: provision this group's.
    await provision([kafka], [TopicPlan(dlq_topic(TOPIC, group), 1, {})])
    await skip_group_to_end(kafka, group, TOPIC)  # other tests' events are not this test's
    c = EventConsumer(
        sessions, [kafka], group_id=group, handlers={EVENT_TYPE: record_note}, retry_delay_s=0.01
    )
    await c.start()
    yield c
    await c.stop()


def headers_for(tenant: UUID, event_id: str | None = None) -> list[tuple[str, bytes]]:
    envelope = CloudEvent(
        source="/clinic/test",
        type=EVENT_TYPE,
        tenantid=tenant,
        time=datetime.now(UTC),
        **({"id": event_id} if event_id else {}),
    )
    return envelope.to_headers()


async def until(condition: Callable[[], Awaitable[bool]], timeout_s: float = 30) -> None:
    for _ in range(int(timeout_s * 10)):
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


async def notes_of(sessions: Sessions, tenant: UUID) -> list[str]:
    async with system_transaction(sessions) as session:
        rows = await session.scalars(
            select(notes.c.body).where(notes.c.tenant_id == tenant).order_by(notes.c.id)
        )
        return list(rows)


async def test_the_same_event_delivered_twice_is_applied_once(
    sessions: Sessions, producer: AIOKafkaProducer, consumer: EventConsumer
) -> None:
    tenant = uuid4()
    event = practitioner_event(name="Dr. Once")
    headers = headers_for(tenant, event_id=str(uuid4()))
    for _ in range(2):
        await producer.send_and_wait(
            TOPIC,
            event.model_dump_json().encode(),
            key=event.message_key().encode(),
            headers=headers,
        )

    async def both_seen() -> bool:
        return consumer.stats[Outcome.DUPLICATE] >= 1

    await until(both_seen)
    assert await notes_of(sessions, tenant) == ["Dr. Once"]


async def test_a_malformed_message_goes_to_the_dlq_and_the_next_good_one_is_applied(
    sessions: Sessions, kafka: str, producer: AIOKafkaProducer, consumer: EventConsumer
) -> None:
    tenant = uuid4()
    dlq = await TopicReader(kafka, dlq_topic(TOPIC, consumer.group_id)).mark()
    key = str(uuid4()).encode()
    await producer.send_and_wait(
        TOPIC, b'{"practitioner_id": "not-a-uuid"', key=key, headers=headers_for(tenant)
    )
    await producer.send_and_wait(TOPIC, b"no envelope at all", key=key)
    good = practitioner_event(name="Dr. After")
    await producer.send_and_wait(
        TOPIC, good.model_dump_json().encode(), key=key, headers=headers_for(tenant)
    )

    async def good_applied() -> bool:
        return await notes_of(sessions, tenant) == ["Dr. After"]

    await until(good_applied)
    dead = await dlq.read(lambda m: len(m) >= 2, timeout_s=10)
    reasons = sorted(m.headers["dlq_reason"] for m in dead)
    assert len(dead) == 2
    assert reasons[0].startswith("invalid envelope")
    assert reasons[1].startswith(f"invalid payload for {EVENT_TYPE}")
    assert all(m.headers["dlq_consumer_group"] == consumer.group_id for m in dead)
    assert all(m.headers["dlq_original_topic"] == TOPIC for m in dead)


async def test_a_handler_that_keeps_failing_is_dead_lettered_after_bounded_retries(
    sessions: Sessions, kafka: str, producer: AIOKafkaProducer, consumer: EventConsumer
) -> None:
    tenant = uuid4()
    dlq = await TopicReader(kafka, dlq_topic(TOPIC, consumer.group_id)).mark()
    key = str(uuid4()).encode()
    for name in ("Dr. Poison", "Dr. Fine"):
        event = practitioner_event(name=name)
        await producer.send_and_wait(
            TOPIC, event.model_dump_json().encode(), key=key, headers=headers_for(tenant)
        )

    async def fine_applied() -> bool:
        return await notes_of(sessions, tenant) == ["Dr. Fine"]

    await until(fine_applied)
    dead = await dlq.read(lambda m: len(m) >= 1, timeout_s=10)
    assert len(dead) == 1
    assert dead[0].headers["dlq_attempts"] == "3"
    assert "cannot be applied" in dead[0].headers["dlq_reason"]
