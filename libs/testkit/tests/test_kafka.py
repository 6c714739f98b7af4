"""The Kafka fixtures against the real broker (aiokafka inside asyncio.run)."""

from __future__ import annotations

import asyncio
import socket
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from clinic_testkit import InfrastructureError, KafkaBroker

pytestmark = pytest.mark.integration


async def create_topic(bootstrap: str, partitions: int = 1) -> str:
    topic = f"testkit-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, replication_factor=1)])
    finally:
        await admin.close()
    return topic


async def publish(bootstrap: str, topic: str, *values: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value, key=b"k")
    finally:
        await producer.stop()


async def consume(
    bootstrap: str, topic: str, count: int, group: str | None = None, timeout_s: float = 20
) -> list[bytes]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level="read_committed",
    )
    await consumer.start()
    found: list[bytes] = []
    try:
        async with asyncio.timeout(timeout_s):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=500)
                found += [r.value for records in batches.values() for r in records]
        if group is not None:
            await consumer.commit()
    except TimeoutError:
        pass
    finally:
        await consumer.stop()
    return found


def test_idempotent_producer_round_trip(kafka_bootstrap: str) -> None:
    async def scenario() -> list[bytes]:
        topic = await create_topic(kafka_bootstrap, partitions=3)
        await publish(kafka_bootstrap, topic, b"one", b"two", b"three")
        return await consume(kafka_bootstrap, topic, 3)

    assert asyncio.run(scenario()) == [b"one", b"two", b"three"]


def test_transactional_producer(kafka_bootstrap: str) -> None:
    async def scenario() -> list[bytes]:
        topic = await create_topic(kafka_bootstrap)
        producer = AIOKafkaProducer(
            bootstrap_servers=kafka_bootstrap, transactional_id=f"tx-{topic}", acks="all"
        )
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send_and_wait(topic, b"committed")
            await producer.begin_transaction()
            await producer.send_and_wait(topic, b"aborted")
            await producer.abort_transaction()
            async with producer.transaction():
                await producer.send_and_wait(topic, b"after-abort")
        finally:
            await producer.stop()
        return await consume(kafka_bootstrap, topic, 2)

    assert asyncio.run(scenario()) == [b"committed", b"after-abort"]


def test_restart_keeps_topics_messages_and_committed_offsets(kafka_broker: KafkaBroker) -> None:
    bootstrap = kafka_broker.bootstrap_servers
    group = f"g-{uuid.uuid4().hex[:8]}"
    topic = asyncio.run(create_topic(bootstrap))
    asyncio.run(publish(bootstrap, topic, b"before"))
    assert asyncio.run(consume(bootstrap, topic, 1, group=group)) == [b"before"]

    host, port = bootstrap.rsplit(":", 1)
    with (
        kafka_broker.stopped(),
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((host, int(port)), timeout=1),
    ):
        pass
    assert kafka_broker.bootstrap_servers == bootstrap

    async def after_restart() -> tuple[list[bytes], list[bytes]]:
        await publish(bootstrap, topic, b"after")
        everything = await consume(bootstrap, topic, 2)  # no group: from the beginning
        for_group = await consume(bootstrap, topic, 1, group=group)  # resumes after "before"
        return everything, for_group

    everything, for_group = asyncio.run(after_restart())
    assert everything == [b"before", b"after"]
    assert for_group == [b"after"]


def test_external_broker_refuses_fault_injection() -> None:
    broker = KafkaBroker(bootstrap_servers="kafka.example:9092", managed=False, origin="env")
    with pytest.raises(InfrastructureError, match="managed broker"):
        broker.stop()
    with pytest.raises(InfrastructureError, match="managed broker"):
        broker.start()
