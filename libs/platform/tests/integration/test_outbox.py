"""The outbox publishes exactly the events of committed transactions, with their envelope."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import func, select

from clinic_contracts import PractitionerUpserted
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.store.platform_tables import outbox
from clinic_platform.store.sessions import Sessions, system_transaction
from clinic_platform.store.unit_of_work import UnitOfWork
from clinic_testkit.topic_reader import TopicReader

from .conftest import notes
from .events import practitioner_event

pytestmark = pytest.mark.integration
TOPIC = PractitionerUpserted.topic


async def pending_rows(sessions: Sessions) -> int:
    async with system_transaction(sessions) as session:
        count = await session.scalar(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        )
    return int(count or 0)


async def test_a_committed_event_arrives_with_its_cloudevents_headers_and_key(
    sessions: Sessions, kafka: str
) -> None:
    tenant = uuid4()
    event = practitioner_event()
    reader = await TopicReader(kafka, TOPIC).mark()
    async with UnitOfWork(sessions, OutboxWriter("booking"), tenant) as uow:
        await uow.session.execute(notes.insert().values(tenant_id=tenant, body="state change"))
        uow.record(event, subject=f"practitioners/{event.practitioner_id}")
        await uow.commit()

    relay = OutboxRelay(sessions, [kafka])
    assert await relay.publish_batch() == 1
    await relay.stop()

    found = await reader.read(
        lambda m: len(m) >= 1, accept=lambda m: m.headers.get("ce_tenantid") == str(tenant)
    )
    assert len(found) == 1
    message = found[0]
    assert message.key == str(event.practitioner_id)
    assert message.headers["ce_type"] == "clinic.booking.practitioner.upserted.v1"
    assert message.headers["ce_source"] == "/clinic/booking"
    assert message.headers["ce_specversion"] == "1.0"
    assert message.headers["ce_subject"] == f"practitioners/{event.practitioner_id}"
    assert message.headers["ce_id"]
    assert message.headers["ce_time"].endswith("+00:00") or message.headers["ce_time"].endswith("Z")
    assert PractitionerUpserted.model_validate_json(message.value) == event
    assert await pending_rows(sessions) == 0


async def test_a_rolled_back_transaction_publishes_nothing(sessions: Sessions, kafka: str) -> None:
    tenant = uuid4()
    reader = await TopicReader(kafka, TOPIC).mark()

    async def refused_booking() -> None:
        async with UnitOfWork(sessions, OutboxWriter("booking"), tenant) as uow:
            await uow.session.execute(notes.insert().values(tenant_id=tenant, body="lost"))
            uow.record(practitioner_event())
            raise RuntimeError("booking refused")

    with pytest.raises(RuntimeError, match="booking refused"):
        await refused_booking()

    assert await pending_rows(sessions) == 0
    relay = OutboxRelay(sessions, [kafka])
    assert await relay.publish_batch() == 0
    await relay.stop()
    found = await reader.read(
        lambda m: False, timeout_s=1.5, accept=lambda m: m.headers.get("ce_tenantid") == str(tenant)
    )
    assert found == []


async def test_leaving_a_unit_of_work_without_commit_rolls_back(sessions: Sessions) -> None:
    tenant = uuid4()
    async with UnitOfWork(sessions, OutboxWriter("booking"), tenant) as uow:
        await uow.session.execute(notes.insert().values(tenant_id=tenant, body="uncommitted"))
    async with system_transaction(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(notes)) == 0
