"""Reading what really reached a Kafka topic, as a downstream consumer would, from a mark."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient


@dataclass(frozen=True)
class Message:
    """One record as read from the topic."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    value: bytes


class TopicReader:
    """Marks a topic's end offsets, then reads only what arrives after the mark."""

    def __init__(self, bootstrap: str, topic: str) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self._mark: dict[TopicPartition, int] = {}

    async def mark(self) -> TopicReader:
        """Remember where the topic ends now."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await consumer.start()
        try:
            partitions = await self._partitions()
            tps = [TopicPartition(self.topic, p) for p in sorted(partitions)]
            self._mark = dict(await consumer.end_offsets(tps))
        finally:
            await consumer.stop()
        return self

    @property
    def marked(self) -> dict[TopicPartition, int]:
        """The end offsets remembered by `mark`."""
        return dict(self._mark)

    async def _partitions(self) -> list[int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            described = await admin.describe_topics([self.topic])
        finally:
            await admin.close()
        if not described or described[0]["error_code"] != 0:
            raise LookupError(f"topic {self.topic!r} does not exist (is it provisioned?)")
        return [p["partition"] for p in described[0]["partitions"]]

    async def read(
        self,
        until: Callable[[list[Message]], bool],
        *,
        timeout_s: float = 30.0,
        accept: Callable[[Message], bool] = lambda _m: True,
    ) -> list[Message]:
        """Read accepted messages after the mark until `until(messages)` holds or time runs out."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        await consumer.start()
        found: list[Message] = []
        try:
            consumer.assign(list(self._mark))
            for tp, offset in self._mark.items():
                consumer.seek(tp, offset)
            deadline = time.monotonic() + timeout_s
            while not until(found) and time.monotonic() < deadline:
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for r in records:
                        message = Message(
                            r.topic,
                            r.partition,
                            r.offset,
                            r.key.decode() if r.key is not None else None,
                            {k: v.decode() for k, v in r.headers},
                            r.value or b"",
                        )
                        if accept(message):
                            found.append(message)
                await asyncio.sleep(0)
        finally:
            await consumer.stop()
        return found


async def skip_group_to_end(bootstrap: str, group_id: str, topic: str) -> None:
    """Commit `group_id`'s offsets at the topic's current end, so a new consumer group skips
    what earlier tests left on a shared topic and starts with what comes next."""
    reader = await TopicReader(bootstrap, topic).mark()
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(list(reader.marked))  # manual assignment: commit without joining
        await consumer.commit(reader.marked)
    finally:
        await consumer.stop()
