"""A broker outage delays events; it never loses, duplicates or reorders them."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from uuid import uuid4

import pytest

from clinic_contracts import PractitionerUpserted
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.store.sessions import Sessions, tenant_transaction
from clinic_testkit import KafkaBroker
from clinic_testkit.topic_reader import TopicReader

from .events import practitioner_event

pytestmark = pytest.mark.integration
EVENTS, KEYS = 100, 5


async def test_events_committed_while_kafka_is_down_all_arrive_once_in_order_per_key(
    sessions: Sessions, kafka: str, kafka_broker: KafkaBroker
) -> None:
    tenant = uuid4()
    practitioners = [uuid4() for _ in range(KEYS)]
    reader = await TopicReader(kafka, PractitionerUpserted.topic).mark()
    relay = OutboxRelay(sessions, [kafka], max_backoff_s=1.0)
    relay.start()
    writer = OutboxWriter("booking")
    expected: dict[str, list[str]] = defaultdict(list)

    kafka_broker.stop()
    try:
        for n in range(EVENTS):
            practitioner = practitioners[n % KEYS]
            # Each commit is a user's request: it must succeed with the broker away.
            async with tenant_transaction(sessions, tenant) as session:
                event_id = await writer.publish(
                    session, practitioner_event(practitioner, name=f"Dr. {n}"), tenant_id=tenant
                )
            expected[str(practitioner)].append(str(event_id))
        await asyncio.sleep(2)  # the relay tries, fails and backs off meanwhile
        assert relay.stats.published == 0
    finally:
        kafka_broker.start()

    for _ in range(900):  # up to 90 s for the broker to come back and the relay to drain
        if relay.stats.published >= EVENTS:
            break
        await asyncio.sleep(0.1)
    await relay.stop()
    # Read everything after the mark for a while: a duplicate would show up as a 101st message.
    found = await reader.read(
        lambda m: False,
        timeout_s=4,
        accept=lambda m: m.headers.get("ce_tenantid") == str(tenant),
    )

    ids = [m.headers["ce_id"] for m in found if m.headers.get("ce_tenantid") == str(tenant)]
    assert len(ids) == EVENTS
    assert len(set(ids)) == EVENTS
    received: dict[str, list[str]] = defaultdict(list)
    for message in found:
        received[message.key or ""].append(message.headers["ce_id"])
        assert json.loads(message.value)["practitioner_id"] == message.key
    assert received == expected
    assert relay.stats.failed_batches > 0
