"""Runtime wiring refuses subscriptions that have no provisioned dead-letter topic."""

import asyncio

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import BusyTimesReplaced, PatientUpserted
from clinic_platform.inbox import EventConsumer, ReceivedEvent
from clinic_platform.runtime import build_runtime
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.sessions import create_engine, create_sessions
from clinic_testkit import free_ports


async def ignore(session: AsyncSession, event: ReceivedEvent) -> None:
    """A handler whose effect does not matter here."""


def test_a_service_cannot_consume_a_topic_its_group_does_not_declare() -> None:
    settings = ServiceSettings(service_name="booking")
    with pytest.raises(RuntimeError, match=r"booking\.patients\.v1"):
        build_runtime(settings, {PatientUpserted.event_type: ignore})


def test_a_declared_subscription_builds_a_consumer_for_the_service_group() -> None:
    runtime = build_runtime(
        ServiceSettings(service_name="booking"), {BusyTimesReplaced.event_type: ignore}
    )
    assert runtime.consumer is not None
    assert runtime.consumer.group_id == "booking"
    assert runtime.consumer.topics == ["calendar_sync.external.v1"]


async def test_a_consumer_started_while_the_broker_is_away_does_not_block_and_stops_cleanly() -> (
    None
):
    [port] = free_ports(1)
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    consumer = EventConsumer(
        create_sessions(engine),
        [f"127.0.0.1:{port}"],
        group_id="booking",
        handlers={BusyTimesReplaced.event_type: ignore},
        max_backoff_s=0.2,
    )
    await asyncio.wait_for(consumer.start(), timeout=1)
    await asyncio.sleep(0.5)
    await asyncio.wait_for(consumer.stop(), timeout=12)
    await engine.dispose()
