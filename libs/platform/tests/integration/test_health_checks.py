"""Readiness checks answer from the real database and broker."""

from __future__ import annotations

import pytest

from clinic_platform.health import database_check, kafka_check
from clinic_platform.store.sessions import create_engine
from clinic_testkit import free_ports

pytestmark = pytest.mark.integration


async def test_the_database_check_passes_on_a_live_database(fresh_database: object) -> None:
    database = fresh_database("health")  # type: ignore[operator]
    engine = create_engine(database.url)
    try:
        await database_check(engine)()
    finally:
        await engine.dispose()


async def test_the_kafka_check_passes_on_the_live_broker_and_fails_on_a_dead_port(
    kafka_bootstrap: str,
) -> None:
    await kafka_check([kafka_bootstrap])()
    [port] = free_ports(1)
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure is a failed probe
        await kafka_check([f"127.0.0.1:{port}"])()
