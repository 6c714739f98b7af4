"""Provisioning applies the one topic declaration idempotently and repairs drift."""

from __future__ import annotations

from uuid import uuid4

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.provisioning import TopicPlan, plan_topics, provision

pytestmark = pytest.mark.integration


async def describe(kafka: str, name: str) -> tuple[int, dict[str, str]]:
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka)
    await admin.start()
    try:
        [topic] = await admin.describe_topics([name])
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        entries = response.resources[0][4]
        return len(topic["partitions"]), {e[0]: e[1] for e in entries}
    finally:
        await admin.close()


async def test_every_declared_topic_and_dead_letter_topic_exists_as_declared(kafka: str) -> None:
    second_run = await provision([kafka], plan_topics(TOPICS, CONSUMER_GROUPS))
    assert second_run.created == []
    assert second_run.reconfigured == []
    for spec in TOPICS:
        partitions, configs = await describe(kafka, spec.name)
        assert partitions == spec.partitions
        assert configs["cleanup.policy"] == ("compact" if spec.compacted else "delete")
    partitions, _ = await describe(kafka, "booking.appointments.v1.dlq.notifications")
    assert partitions == 1


async def test_a_drifted_config_is_repaired_and_partitions_only_grow(kafka: str) -> None:
    name = f"test.drift.{uuid4().hex[:8]}"
    first = await provision([kafka], [TopicPlan(name, 2, {"retention.ms": "60000"})])
    assert first.created == [name]

    report = await provision([kafka], [TopicPlan(name, 4, {"retention.ms": "120000"})])
    assert report.created == []
    assert report.reconfigured == [name]
    assert report.repartitioned == [name]
    partitions, configs = await describe(kafka, name)
    assert (partitions, configs["retention.ms"]) == (4, "120000")

    shrink = await provision([kafka], [TopicPlan(name, 1, {"retention.ms": "120000"})])
    assert shrink.repartitioned == []
    assert (await describe(kafka, name))[0] == 4
