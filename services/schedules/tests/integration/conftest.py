"""The schedules app on a fresh migrated database and the real broker, fed by published events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_contracts.codec import KafkaMessage, encode
from clinic_contracts.events.base import EventPayload
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.runtime import Runtime
from clinic_platform.store.migrations import upgrade
from clinic_testkit.consumer_contracts import ReadGuard
from clinic_testkit.topic_reader import skip_group_to_end
from schedules.app import MIGRATIONS, build_app
from schedules.config import Settings
from schedules.events import HANDLERS
from schedules.events.relies_on import RELIES_ON

pytestmark = pytest.mark.integration
GROUP = "schedules"


@pytest.fixture(scope="session")
def read_guard() -> Iterator[ReadGuard]:
    """The handlers every app here is built from, fed only the fields `RELIES_ON` declares."""
    with ReadGuard(RELIES_ON).installed(HANDLERS) as guard:
        yield guard


@pytest.fixture(autouse=True)
def handlers_read_only_declared_fields(read_guard: ReadGuard) -> Iterator[None]:
    """Every flow a test here drives checks the consumer contract: a handler reading a field
    that events/relies_on.py does not declare fails the test that made it read it."""
    read_guard.undeclared.clear()
    yield
    assert read_guard.undeclared == [], "\n".join(map(str, read_guard.undeclared))


@pytest.fixture(scope="session")
def schedules_topics(kafka_bootstrap: str) -> str:
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    return kafka_bootstrap


@dataclass
class Feed:
    """Publishes contract events for one random tenant, with increasing envelope times."""

    producer: AIOKafkaProducer
    tenant_id: UUID = field(default_factory=uuid4)
    clock: datetime = field(default_factory=lambda: datetime.now(UTC))

    def message(self, payload: EventPayload, *, time: datetime | None = None) -> KafkaMessage:
        """The event as the broker carries it; without `time`, one second after the last."""
        if time is None:
            self.clock += timedelta(seconds=1)
            time = self.clock
        return encode(payload, source="/clinic/booking", tenantid=self.tenant_id, time=time)

    async def send(self, *messages: KafkaMessage) -> None:
        for message in messages:
            await self.producer.send_and_wait(
                message.topic, message.value, key=message.key, headers=message.headers
            )

    async def publish(self, *payloads: EventPayload) -> list[KafkaMessage]:
        messages = [self.message(payload) for payload in payloads]
        await self.send(*messages)
        return messages


@pytest.fixture
async def schedules(
    fresh_database: Callable[..., Any], schedules_topics: str
) -> AsyncIterator[tuple[Runtime, Feed]]:
    """The running app (its consumer group skipped to the topics' ends) and a feed for it."""
    database = fresh_database("schedules")
    # Migrations run their own event loop, so they go to a thread.
    await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
    for topic in CONSUMER_GROUPS[GROUP]:
        await skip_group_to_end(schedules_topics, GROUP, topic)
    settings = Settings(database_url=database.url, kafka_bootstrap_servers=schedules_topics)
    app = build_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=schedules_topics)
    await producer.start()
    try:
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30):
            yield app.state.runtime, Feed(producer)
    finally:
        await producer.stop()


@dataclass
class Api:
    """The app called in-process over HTTP, its runtime, a feed, and tokens for its tenant."""

    client: Any
    runtime: Runtime
    feed: Feed
    settings: Settings

    def headers(self, *roles: str, practitioner_id: UUID | None = None) -> dict[str, str]:
        """Authorization headers for a principal with `roles` in the feed's tenant."""
        from clinic_platform.auth import issue_token

        token = issue_token(
            self.settings,
            subject=f"user-{uuid4().hex[:8]}",
            tenant_id=self.feed.tenant_id,
            roles=list(roles),
            practitioner_id=practitioner_id,
        )
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def schedules_api(
    fresh_database: Callable[..., Any], schedules_topics: str
) -> AsyncIterator[Api]:
    """Like `schedules`, with an httpx client on the app (ASGI transport, lifespan running)."""
    import httpx

    database = fresh_database("schedules")
    await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
    for topic in CONSUMER_GROUPS[GROUP]:
        await skip_group_to_end(schedules_topics, GROUP, topic)
    settings = Settings(database_url=database.url, kafka_bootstrap_servers=schedules_topics)
    app = build_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=schedules_topics)
    await producer.start()
    try:
        async with (
            LifespanManager(app, startup_timeout=30, shutdown_timeout=30),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app), base_url="http://schedules/api/v1/schedules"
            ) as client,
        ):
            yield Api(client, app.state.runtime, Feed(producer), settings)
    finally:
        await producer.stop()
