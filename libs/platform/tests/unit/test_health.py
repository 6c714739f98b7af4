"""`/healthz` says the process lives; `/readyz` says whether every dependency answers."""

import asyncio
from collections.abc import Collection, Mapping

import httpx
from fastapi import FastAPI

from clinic_platform.health import ReadinessCheck, health_router, kafka_check
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api
from clinic_testkit import free_ports


async def ok() -> None:
    return None


async def broken() -> None:
    raise ConnectionRefusedError("postgres://admin:secret@db:5432 refused")


async def hangs() -> None:
    await asyncio.sleep(60)


async def times_out() -> None:
    raise TimeoutError


async def get(
    path: str, checks: Mapping[str, ReadinessCheck], degradable: Collection[str] = ()
) -> httpx.Response:
    settings = ServiceSettings(service_name="demo")
    app = create_service_api(
        settings, title="demo", routers=[], readiness=checks, degradable=degradable
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        return await client.get(path)


async def test_healthz_is_ok_even_when_dependencies_are_down() -> None:
    response = await get("/healthz", {"database": broken})
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_is_200_when_every_check_passes() -> None:
    response = await get("/readyz", {"database": ok, "kafka": ok})
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "kafka": "ok"}}


async def test_readyz_is_503_naming_the_failing_check_without_its_message() -> None:
    response = await get("/readyz", {"database": broken, "kafka": ok})
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"] == {"database": "failed: ConnectionRefusedError", "kafka": "ok"}
    assert "secret" not in response.text


async def test_a_failing_degradable_check_keeps_the_service_ready_but_degraded() -> None:
    response = await get("/readyz", {"database": ok, "kafka": broken}, degradable={"kafka"})
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "kafka": "failed: ConnectionRefusedError"},
        "degraded": ["kafka"],
    }


async def test_a_failing_required_check_is_503_even_beside_a_degraded_one() -> None:
    response = await get("/readyz", {"database": broken, "kafka": times_out}, {"kafka"})
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["failing"], body["degraded"]) == (
        "unavailable",
        ["database"],
        ["kafka"],
    )


async def test_a_hanging_check_times_out_and_the_others_still_report() -> None:
    router = health_router({"slow": hangs, "fast": ok}, timeout_s=0.05)
    app = FastAPI()
    app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"slow": "timeout after 0.05s", "fast": "ok"}


async def test_the_kafka_check_fails_when_no_broker_listens() -> None:
    [port] = free_ports(1)  # free a moment ago: nothing listens on it
    response = await get("/readyz", {"kafka": kafka_check([f"127.0.0.1:{port}"])})
    assert response.status_code == 503
    assert response.json()["checks"]["kafka"].startswith("failed: ")
