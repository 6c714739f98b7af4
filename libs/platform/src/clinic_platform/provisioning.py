"""Topic provisioning: the contracts' one declaration of topics, applied idempotently."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from clinic_contracts import CONSUMER_GROUPS, TOPICS, TopicSpec, dlq_topic

log = logging.getLogger(__name__)

DLQ_PARTITIONS = 1
TOPIC_ALREADY_EXISTS = 36
DLQ_RETENTION_MS = 30 * 24 * 3600 * 1000


class ProvisioningError(RuntimeError):
    """The cluster refused or did not show a topic."""


@dataclass(frozen=True)
class TopicPlan:
    """One topic as it must exist on the cluster."""

    name: str
    partitions: int
    configs: Mapping[str, str]


@dataclass
class ProvisionReport:
    """What one run changed (empty lists on a second run)."""

    created: list[str] = field(default_factory=list)
    reconfigured: list[str] = field(default_factory=list)
    repartitioned: list[str] = field(default_factory=list)


def plan_topics(
    topics: Sequence[TopicSpec], consumer_groups: Mapping[str, Sequence[str]]
) -> list[TopicPlan]:
    """Every topic and every dead-letter topic `<topic>.dlq.<group>` the groups need."""
    plans = [TopicPlan(t.name, t.partitions, t.kafka_config()) for t in topics]
    for group, subscribed in sorted(consumer_groups.items()):
        for topic in subscribed:
            plans.append(
                TopicPlan(
                    dlq_topic(topic, group),
                    DLQ_PARTITIONS,
                    {"cleanup.policy": "delete", "retention.ms": str(DLQ_RETENTION_MS)},
                )
            )
    return plans


async def provision(
    bootstrap_servers: list[str],
    plans: Sequence[TopicPlan],
    *,
    replication_factor: int = 1,
    min_insync_replicas: int | None = None,
) -> ProvisionReport:
    """Create missing topics, align configs, grow partitions; never deletes or shrinks."""
    report = ProvisionReport()
    if min_insync_replicas is not None:
        # Per environment (1 locally, 2 of 3 in production), like the replication factor.
        extra = {"min.insync.replicas": str(min_insync_replicas)}
        plans = [TopicPlan(p.name, p.partitions, {**p.configs, **extra}) for p in plans]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [p for p in plans if p.name not in existing]
        if missing:
            response = await admin.create_topics(
                [
                    NewTopic(
                        p.name, p.partitions, replication_factor, topic_configs=dict(p.configs)
                    )
                    for p in missing
                ]
            )
            _raise_on_errors(response.topic_errors)
            report.created = [p.name for p in missing]
            await _until_visible(admin, {p.name for p in missing})
        present = [p for p in plans if p.name in existing]
        await _align(admin, present, report)
    finally:
        await admin.close()
    return report


def _raise_on_errors(topic_errors: Sequence[tuple[str, int, str | None]]) -> None:
    failed = [
        (name, code, msg)
        for name, code, msg in topic_errors
        if code not in (0, TOPIC_ALREADY_EXISTS)
    ]  # another provisioner won the race
    if failed:
        raise ProvisioningError(f"could not create topics: {failed}")


async def _until_visible(admin: AIOKafkaAdminClient, names: set[str]) -> None:
    # Creation returns once the controller commits; brokers' metadata follows a moment later.
    for _ in range(100):
        if names <= set(await admin.list_topics()):
            return
        await asyncio.sleep(0.1)
    raise ProvisioningError(f"topics not visible after creation: {sorted(names)}")


async def _align(
    admin: AIOKafkaAdminClient, plans: Sequence[TopicPlan], report: ProvisionReport
) -> None:
    if not plans:
        return
    described = await admin.describe_topics([p.name for p in plans])
    counts = {d["topic"]: len(d["partitions"]) for d in described}
    grow = {p.name: NewPartitions(p.partitions) for p in plans if counts[p.name] < p.partitions}
    if grow:
        await admin.create_partitions(grow)
        report.repartitioned = sorted(grow)
    resources = [ConfigResource(ConfigResourceType.TOPIC, p.name) for p in plans]
    responses = await admin.describe_configs(resources)
    actual: dict[str, dict[str, str]] = {}
    for response in responses:
        for _code, _msg, _type, name, entries in response.resources:
            actual[name] = {e[0]: e[1] for e in entries}
    stale = [p for p in plans if any(actual[p.name].get(k) != v for k, v in p.configs.items())]
    if stale:
        await admin.alter_configs(
            [
                ConfigResource(ConfigResourceType.TOPIC, p.name, configs=dict(p.configs))
                for p in stale
            ]
        )
        report.reconfigured = [p.name for p in stale]


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m clinic_platform.provisioning --bootstrap HOST:PORT`"""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--replication-factor", type=int, default=1)
    parser.add_argument("--min-insync-replicas", type=int, default=None)
    args = parser.parse_args(argv)
    servers = [s for s in args.bootstrap.split(",") if s]
    report = asyncio.run(
        provision(
            servers,
            plan_topics(TOPICS, CONSUMER_GROUPS),
            replication_factor=args.replication_factor,
            min_insync_replicas=args.min_insync_replicas,
        )
    )
    print(
        f"topics created={report.created} reconfigured={report.reconfigured} "
        f"repartitioned={report.repartitioned}"
    )


if __name__ == "__main__":
    main()
