"""A rebuild replays its topics into emptied tables in one transaction, on real Kafka and PG."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import EventPayload, LocationUpserted, PractitionerUpserted
from clinic_contracts.codec import KafkaMessage, decode, encode
from clinic_platform.inbox import Outcome, ReceivedEvent
from clinic_platform.inbox.delivery import Applier
from clinic_platform.inbox.replay import Projection, ReplayError, rebuild
from clinic_platform.outbox import OutboxWriter
from clinic_platform.provisioning import TopicPlan, provision
from clinic_platform.store.platform_tables import inbox, outbox
from clinic_platform.store.sessions import Sessions, system_transaction, tenant_transaction

from .conftest import notes
from .events import practitioner_event

pytestmark = pytest.mark.integration
EVENT_TYPE = PractitionerUpserted.event_type
GATE: dict[str, asyncio.Event] = {}  # "Dr. Slow" waits on GATE["open"] once GATE["reached"]


async def record_note(session: AsyncSession, event: ReceivedEvent) -> None:
    """The projection under test: one note per applied event."""
    assert isinstance(event.payload, PractitionerUpserted)
    name = event.payload.display_name
    if name == "Dr. Poison":
        raise ValueError("this practitioner cannot be applied")
    if name == "Dr. Slow":
        GATE["reached"].set()
        await GATE["open"].wait()
    await session.execute(insert(notes).values(tenant_id=event.envelope.tenantid, body=name))


async def publish_too(session: AsyncSession, event: ReceivedEvent) -> None:
    """A handler that wrongly publishes: a replay must never send events again."""
    await record_note(session, event)
    await OutboxWriter("test").publish(session, event.payload, tenant_id=event.envelope.tenantid)


@pytest.fixture
async def topic(kafka: str) -> str:
    """A private three-partition topic: other tests' records are not this test's to replay."""
    name = f"replay-test-{uuid4().hex[:8]}"
    await provision([kafka], [TopicPlan(name, 3, {})])
    return name


@pytest.fixture
async def producer(kafka: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=kafka, enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


def message(payload: EventPayload, tenant: UUID, event_id: str | None = None) -> KafkaMessage:
    now = datetime.now(UTC)
    return encode(payload, source="/clinic/test", tenantid=tenant, time=now, event_id=event_id)


def received(m: KafkaMessage, topic: str) -> ReceivedEvent:
    """The event as the live consumer hands it to the inbox."""
    decoded = decode(m.headers, m.value)
    return ReceivedEvent(decoded.envelope, decoded.payload, topic, 0, 0)


async def send(producer: AIOKafkaProducer, topic: str, *messages: KafkaMessage) -> None:
    for m in messages:
        await producer.send_and_wait(topic, m.value, key=m.key, headers=m.headers)


async def notes_by_tenant(sessions: Sessions) -> dict[UUID, list[str]]:
    async with system_transaction(sessions) as session:
        rows = (await session.execute(select(notes.c.tenant_id, notes.c.body))).all()
    found: dict[UUID, list[str]] = {}
    for tenant, body in rows:
        found.setdefault(tenant, []).append(body)
    return {tenant: sorted(bodies) for tenant, bodies in found.items()}


async def inbox_ids(sessions: Sessions, group: str) -> list[str]:
    async with system_transaction(sessions) as session:
        ids = await session.scalars(select(inbox.c.event_id).where(inbox.c.consumer_group == group))
        return sorted(ids)


async def seed(
    sessions: Sessions, tenant: UUID, group: str, *event_ids: str, others: bool = True
) -> None:
    """Rows a rebuild must replace (a stale note, inbox rows) or keep (other groups' rows)."""
    async with tenant_transaction(sessions, tenant) as session:
        await session.execute(insert(notes).values(tenant_id=tenant, body="corrupted"))
        for event_id, consumer_group, event_type in event_ids_rows(group, event_ids, others):
            await session.execute(
                insert(inbox).values(
                    consumer_group=consumer_group,
                    event_id=event_id,
                    tenant_id=tenant,
                    event_type=event_type,
                    topic="t",
                    partition=0,
                    offset=0,
                )
            )


def event_ids_rows(
    group: str, event_ids: tuple[str, ...], others: bool
) -> list[tuple[str, str, str]]:
    rows = [(event_id, group, EVENT_TYPE) for event_id in event_ids]
    if not others:
        return rows
    return [*rows, ("other-group-row", "other-group", EVENT_TYPE), ("kept", group, "other.type")]


def projection(handler: object = record_note) -> Projection:
    return Projection({EVENT_TYPE: handler}, ["notes"])  # type: ignore[dict-item]


async def test_a_rebuild_replaces_corrupted_rows_with_what_the_topic_says_and_can_run_again(
    sessions: Sessions, kafka: str, topic: str, producer: AIOKafkaProducer
) -> None:
    clinic, other = uuid4(), uuid4()
    names = [f"Dr. {n}" for n in ("Ang", "Bo", "Chen", "Du", "Ee", "Fang")]
    good = [message(practitioner_event(name=n), clinic) for n in names]
    good += [message(practitioner_event(name="Dr. Other"), other)]
    poison = message(practitioner_event(name="Dr. Poison"), clinic)
    location = LocationUpserted(
        location_id=uuid4(), name="Da'an", address="", timezone="Asia/Taipei", active=True
    )
    await send(producer, topic, *good, good[0], poison, message(location, clinic))
    await producer.send_and_wait(topic, b"no envelope", key=b"k")
    group = f"replay-{uuid4().hex[:8]}"
    already = dict(good[1].headers)["ce_id"].decode()  # as if the live consumer applied it
    await seed(sessions, clinic, group, already)

    summary = await rebuild(
        sessions, [kafka], group_id=group, projection=projection(), topics=[topic]
    )

    expected = {clinic: sorted(names), other: ["Dr. Other"]}
    assert await notes_by_tenant(sessions) == expected
    assert dict(summary.per_topic[topic]) == {
        Outcome.APPLIED: 7,
        Outcome.DUPLICATE: 1,
        Outcome.IGNORED: 1,
        "skipped": 2,
    }
    assert summary.elapsed_s > 0
    assert f"{topic}: 7 applied, 1 duplicate, 1 ignored, 2 skipped" in summary.render()
    replayed = sorted(dict(m.headers)["ce_id"].decode() for m in good)
    assert await inbox_ids(sessions, group) == sorted([*replayed, "kept"])
    assert await inbox_ids(sessions, "other-group") == ["other-group-row"]

    again = await rebuild(
        sessions, [kafka], group_id=group, projection=projection(), topics=[topic]
    )
    assert await notes_by_tenant(sessions) == expected
    assert again.total(Outcome.APPLIED) == 7


async def test_a_one_tenant_rebuild_repairs_that_tenant_and_leaves_the_others_alone(
    sessions: Sessions, kafka: str, topic: str, producer: AIOKafkaProducer
) -> None:
    clinic, other, group = uuid4(), uuid4(), f"replay-{uuid4().hex[:8]}"
    await send(
        producer,
        topic,
        message(practitioner_event(name="Dr. Mine"), clinic),
        message(practitioner_event(name="Dr. Theirs"), other),
    )
    await seed(sessions, clinic, group)
    await seed(sessions, other, group, "their-applied-event", others=False)

    summary = await rebuild(
        sessions,
        [kafka],
        group_id=group,
        projection=projection(),
        topics=[topic],
        tenant_id=clinic,
    )

    assert await notes_by_tenant(sessions) == {clinic: ["Dr. Mine"], other: ["corrupted"]}
    assert dict(summary.per_topic[topic]) == {Outcome.APPLIED: 1, Outcome.IGNORED: 1}
    assert summary.render().startswith(f"rebuilt tenant {clinic} in ")
    assert "their-applied-event" in await inbox_ids(sessions, group)


async def test_a_handler_that_publishes_fails_the_rebuild_and_nothing_changes(
    sessions: Sessions, kafka: str, topic: str, producer: AIOKafkaProducer
) -> None:
    clinic, group = uuid4(), f"replay-{uuid4().hex[:8]}"
    await send(producer, topic, message(practitioner_event(name="Dr. Loud"), clinic))
    await seed(sessions, clinic, group, "applied-before")

    with pytest.raises(ReplayError, match="clinic_outbox"):
        await rebuild(
            sessions, [kafka], group_id=group, projection=projection(publish_too), topics=[topic]
        )

    assert await notes_by_tenant(sessions) == {clinic: ["corrupted"]}
    assert await inbox_ids(sessions, group) == ["applied-before", "kept"]
    async with system_transaction(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(outbox)) == 0


async def test_readers_see_the_old_rows_while_live_writers_wait_and_then_apply_once(
    sessions: Sessions, kafka: str, topic: str, producer: AIOKafkaProducer
) -> None:
    clinic, group = uuid4(), f"replay-{uuid4().hex[:8]}"
    replayed = message(practitioner_event(name="Dr. Replayed"), clinic)
    await send(producer, topic, replayed, message(practitioner_event(name="Dr. Slow"), clinic))
    await seed(sessions, clinic, group)
    GATE.update(reached=asyncio.Event(), open=asyncio.Event())
    running = asyncio.create_task(
        rebuild(sessions, [kafka], group_id=group, projection=projection(), topics=[topic])
    )
    await asyncio.wait_for(GATE["reached"].wait(), 30)

    # Mid-rebuild: a reader is not blocked and sees the state from before the rebuild.
    before = await asyncio.wait_for(notes_by_tenant(sessions), 5)
    assert before == {clinic: ["corrupted"]}
    live = Applier(sessions, group, {EVENT_TYPE: record_note})
    arrived = received(message(practitioner_event(name="Dr. New"), clinic), topic)
    writers = [asyncio.create_task(live.apply(e)) for e in (arrived, received(replayed, topic))]
    await asyncio.sleep(1)
    assert not any(w.done() for w in writers)  # the live consumer waits for the commit

    GATE["open"].set()
    await asyncio.wait_for(running, 30)
    assert await asyncio.gather(*writers) == [Outcome.APPLIED, Outcome.DUPLICATE]
    assert await notes_by_tenant(sessions) == {clinic: ["Dr. New", "Dr. Replayed", "Dr. Slow"]}


async def test_a_table_held_by_a_long_transaction_fails_the_rebuild_with_a_clear_error(
    sessions: Sessions, kafka: str, topic: str
) -> None:
    clinic = uuid4()
    async with tenant_transaction(sessions, clinic) as holder:
        await holder.execute(insert(notes).values(tenant_id=clinic, body="uncommitted"))
        with pytest.raises(ReplayError, match="stayed locked"):
            await rebuild(
                sessions,
                [kafka],
                group_id="replay-locked",
                projection=projection(),
                topics=[topic],
                lock_timeout_s=0.5,
            )


async def test_a_topic_that_does_not_exist_is_named(sessions: Sessions, kafka: str) -> None:
    missing = f"replay-missing-{uuid4().hex[:8]}"
    with pytest.raises(ReplayError, match=missing):
        await rebuild(sessions, [kafka], group_id="g", projection=projection(), topics=[missing])
