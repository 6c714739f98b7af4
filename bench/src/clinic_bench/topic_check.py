"""Proof that the events really reached the topic: each bench event read back exactly once."""

from __future__ import annotations

from clinic_bench.deadline import BenchFailure
from clinic_testkit.topic_reader import Message, TopicReader


async def verify_on_topic(
    reader: TopicReader, tenant_ids: set[str], expected: int, *, timeout_s: float = 60.0
) -> None:
    """Read from the reader's mark until `expected` bench events arrived; fail on loss or dups."""

    def ours(message: Message) -> bool:
        return message.headers.get("ce_tenantid") in tenant_ids

    found = await reader.read(lambda ms: len(ms) >= expected, timeout_s=timeout_s, accept=ours)
    distinct = len({m.headers["ce_id"] for m in found})
    if len(found) != expected or distinct != expected:
        raise BenchFailure(
            f"{reader.topic}: expected {expected} events, read {len(found)} messages "
            f"with {distinct} distinct ce_id within {timeout_s:.0f}s"
        )
