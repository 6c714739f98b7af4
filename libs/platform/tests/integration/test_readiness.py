"""Readiness on real parts: with the broker down a service stays in rotation (its outbox takes
every write), reported as degraded; without its database it leaves rotation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import httpx
import pytest
from asgi_lifespan import LifespanManager

from clinic_platform.metrics import render
from clinic_platform.runtime import build_runtime, create_app
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.sessions import Sessions
from clinic_testkit import KafkaBroker, free_ports
from clinic_testkit.prometheus import parse_samples, sample_value

from .events import practitioner_event

pytestmark = pytest.mark.integration


def backlog() -> float | None:
    return sample_value(parse_samples(render().decode()), "clinic_outbox_backlog")


async def eventually(condition: Callable[[], Any], timeout_s: float = 90) -> None:
    for _ in range(int(timeout_s * 5)):
        if await condition():
            return
        await asyncio.sleep(0.2)
    raise AssertionError("condition not reached in time")


async def test_with_the_broker_down_the_service_is_ready_degraded_and_its_outbox_takes_writes(
    sessions: Sessions, kafka: str, kafka_broker: KafkaBroker
) -> None:
    url = sessions.kw["bind"].url.render_as_string(hide_password=False)
    settings = ServiceSettings(
        service_name="booking",
        database_url=url,
        kafka_bootstrap_servers=kafka,
        metrics_interval_s=0.2,
    )
    runtime = build_runtime(settings)
    app = create_app(runtime, title="booking")
    async with (
        LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager,
        httpx.AsyncClient(transport=httpx.ASGITransport(manager.app), base_url="http://b") as http,
    ):
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()["status"]) == (200, "ready")
        kafka_broker.stop()
        try:
            down = await http.get("/readyz")
            assert down.status_code == 200
            body = down.json()
            assert (body["status"], body["degraded"]) == ("degraded", ["kafka"])
            assert body["checks"]["database"] == "ok"
            assert body["checks"]["kafka"] != "ok"
            async with runtime.unit_of_work(uuid4()) as uow:  # a request's write still commits
                uow.record(practitioner_event())
                await uow.commit()

            async def waiting() -> bool:
                return backlog() == 1

            await eventually(waiting, timeout_s=10)
        finally:
            kafka_broker.start()

        async def drained() -> bool:
            return backlog() == 0

        await eventually(drained)
        assert (await http.get("/readyz")).json()["status"] == "ready"


async def test_without_its_database_the_service_is_taken_out_of_rotation(kafka: str) -> None:
    [closed] = free_ports(1)
    settings = ServiceSettings(
        service_name="booking",
        database_url=f"postgresql+psycopg://nobody@127.0.0.1:{closed}/gone",
        kafka_bootstrap_servers=kafka,
    )
    runtime = build_runtime(settings)
    app = create_app(runtime, title="booking")
    transport = httpx.ASGITransport(app)  # no lifespan: the probe needs nothing started
    async with httpx.AsyncClient(transport=transport, base_url="http://b") as http:
        response = await http.get("/readyz")
    await runtime.engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["failing"]) == ("unavailable", ["database"])
    assert body["checks"]["kafka"] == "ok"
    assert body["checks"]["database"].startswith("failed: ")
