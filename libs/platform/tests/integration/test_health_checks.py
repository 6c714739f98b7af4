"""Readiness checks answer from the real database and broker."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from clinic_platform.health import database_check, kafka_check
from clinic_platform.store.sessions import create_engine
from clinic_testkit import free_ports

pytestmark = pytest.mark.integration


async def test_the_database_check_passes_on_a_live_database_and_fails_without_one(
    fresh_database: object,
) -> None:
    database = fresh_database("health")  # type: ignore[operator]
    [port] = free_ports(1)
    live = create_engine(database.url)
    # The test server trusts local logins, so a database that is not there stands for one gone.
    gone = create_engine(database.url.rsplit("/", 1)[0] + "/no_such_database")
    nobody_there = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
    try:
        assert await database_check(live)() is None
        for engine in (gone, nobody_there):
            with pytest.raises(OperationalError):
                await database_check(engine)()
    finally:
        for engine in (live, gone, nobody_there):
            await engine.dispose()


async def test_the_kafka_check_passes_on_the_live_broker_and_fails_on_a_dead_port(
    kafka_bootstrap: str,
) -> None:
    await kafka_check([kafka_bootstrap])()
    [port] = free_ports(1)
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure is a failed probe
        await kafka_check([f"127.0.0.1:{port}"])()
