"""The gauges and counters move with real outbox rows, a real consumer group and real Kafka."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import PractitionerUpserted, dlq_topic
from clinic_platform.inbox import EventConsumer, Outcome, ReceivedEvent
from clinic_platform.metrics import MetricsSampler, render, setup_metrics
from clinic_platform.metrics import instruments as gauges
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.provisioning import TopicPlan, provision
from clinic_platform.store.sessions import Sessions
from clinic_platform.store.unit_of_work import UnitOfWork
from clinic_testkit.prometheus import counter_value, parse_samples, sample_value
from clinic_testkit.topic_reader import skip_group_to_end

from .events import practitioner_event
from .test_consumer import headers_for, until

pytestmark = pytest.mark.integration
TOPIC = PractitionerUpserted.topic


@pytest.fixture(autouse=True, scope="module")
def meter_provider() -> None:
    """What every service's app installs: the process's meter provider behind `/metrics`."""
    setup_metrics("platform-tests", None)


def scraped() -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return parse_samples(render().decode())


async def test_the_backlog_counts_committed_events_and_returns_to_zero_once_published(
    sessions: Sessions, kafka: str
) -> None:
    sampler = MetricsSampler(sessions)
    gauges.register(sampler)
    relay = OutboxRelay(sessions, [kafka])
    try:
        assert (await sampler.sample()).outbox == gauges.OutboxSample(0, 0.0)
        published = counter_value(scraped(), "clinic_outbox_published_total", topic=TOPIC)
        async with UnitOfWork(sessions, OutboxWriter("booking"), uuid4()) as uow:
            for n in range(3):  # e.g. a booking and the events it causes
                uow.record(practitioner_event(name=f"Dr. {n}"))
            await uow.commit()
        await asyncio.sleep(0.3)
        waiting = (await sampler.sample()).outbox
        assert waiting is not None
        assert waiting.backlog == 3
        assert 0.3 <= waiting.oldest_age_s < 30
        assert sample_value(scraped(), "clinic_outbox_backlog") == 3

        assert await relay.publish_batch() == 3
        assert (await sampler.sample()).outbox == gauges.OutboxSample(0, 0.0)
        after = scraped()
        assert sample_value(after, "clinic_outbox_backlog") == 0
        assert sample_value(after, "clinic_outbox_oldest_age_seconds") == 0
        assert counter_value(after, "clinic_outbox_published_total", topic=TOPIC) == published + 3
    finally:
        gauges.unregister(sampler)
        await relay.stop()


@pytest.fixture
async def producer(kafka: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


async def group_on(
    sessions: Sessions, kafka: str, handler: Callable[[AsyncSession, ReceivedEvent], object]
) -> EventConsumer:
    group = f"metrics-{uuid4().hex[:8]}"
    await provision([kafka], [TopicPlan(dlq_topic(TOPIC, group), 1, {})])
    await skip_group_to_end(kafka, group, TOPIC)
    consumer = EventConsumer(
        sessions,
        [kafka],
        group_id=group,
        handlers={PractitionerUpserted.event_type: handler},  # type: ignore[dict-item]
        retry_delay_s=0.01,
    )
    await consumer.start()
    return consumer


async def test_a_group_that_is_behind_shows_its_lag_on_that_partition_until_it_catches_up(
    sessions: Sessions, kafka: str, producer: AIOKafkaProducer
) -> None:
    tenant, release = uuid4(), asyncio.Event()
    partitions: list[int] = []

    async def slow(session: AsyncSession, event: ReceivedEvent) -> None:
        if event.envelope.tenantid == tenant:
            partitions.append(event.partition)
            await release.wait()

    consumer = await group_on(sessions, kafka, slow)
    sampler = MetricsSampler(sessions, consumer)
    try:
        key = str(uuid4()).encode()  # one key: one partition, in order
        for n in range(5):
            event = practitioner_event(name=f"Dr. {n}")
            body = event.model_dump_json().encode()
            await producer.send_and_wait(TOPIC, body, key=key, headers=headers_for(tenant))

        async def stuck_on_the_first() -> bool:
            return len(partitions) == 1

        await until(stuck_on_the_first)
        behind = (consumer.group_id, TOPIC, partitions[0])
        assert (await sampler.sample()).lag[behind] == 5  # the one in hand and four after it

        release.set()

        async def caught_up() -> bool:
            return consumer.stats[Outcome.APPLIED] >= 5

        await until(caught_up)
        assert (await sampler.sample()).lag[behind] == 0
        gauges.register(sampler)
        labels = {"consumer_group": behind[0], "topic": TOPIC, "partition": str(behind[2])}
        assert sample_value(scraped(), "clinic_consumer_lag", **labels) == 0
    finally:
        gauges.unregister(sampler)
        release.set()
        await consumer.stop()


async def test_poison_messages_increment_the_dead_letter_counter_by_reason(
    sessions: Sessions, kafka: str, producer: AIOKafkaProducer
) -> None:
    async def apply(session: AsyncSession, event: ReceivedEvent) -> None:
        return None

    consumer = await group_on(sessions, kafka, apply)
    labels = {"consumer_group": consumer.group_id, "topic": TOPIC}
    try:
        key = str(uuid4()).encode()
        await producer.send_and_wait(
            TOPIC, b'{"practitioner_id": "not-a-uuid"}', key=key, headers=headers_for(uuid4())
        )
        await producer.send_and_wait(TOPIC, b"no envelope at all", key=key)

        async def both_dead() -> bool:
            return consumer.stats[Outcome.DEAD_LETTERED] >= 2

        await until(both_dead)
        samples = scraped()
    finally:
        await consumer.stop()
    dead = "clinic_consumer_dead_lettered_total"
    assert counter_value(samples, dead, **labels, reason="invalid_payload") == 1
    assert counter_value(samples, dead, **labels, reason="invalid_envelope") == 1
    assert counter_value(samples, dead, **labels, reason="handler_failed") == 0
    records = "clinic_consumer_records_total"
    assert counter_value(samples, records, **labels, outcome="dead_lettered") == 2
