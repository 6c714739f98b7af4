"""Liveness (`/healthz`) and readiness (`/readyz`) endpoints, plus the usual readiness checks.

Readiness policy: a service is ready while every *required* check passes. A *degradable* check
(Kafka: the outbox keeps accepting events while the broker is away) that fails keeps the service
in rotation, reported as `degraded`; a required one (the database) takes it out with a 503.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Mapping

from aiokafka.admin import AIOKafkaAdminClient
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

ReadinessCheck = Callable[[], Awaitable[None]]
"""Returns when the dependency answers; raises (or hangs past the timeout) when it does not."""

_log = logging.getLogger(__name__)


def health_router(
    checks: Mapping[str, ReadinessCheck],
    timeout_s: float = 2.0,
    *,
    degradable: Collection[str] = (),
) -> APIRouter:
    """`GET /healthz` (the process is alive) and `GET /readyz` (200 `ready` when every check
    passes, 200 `degraded` when only `degradable` ones fail, else 503 `unavailable`)."""
    router = APIRouter(tags=["health"])

    @router.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        # No dependency is consulted: a database outage must not get the process restarted.
        return {"status": "ok"}

    @router.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        names = list(checks)
        outcomes = await asyncio.gather(*(_run(n, checks[n], timeout_s) for n in names))
        results = dict(zip(names, outcomes, strict=True))
        failed = sorted(name for name, outcome in results.items() if outcome != "ok")
        failing = [name for name in failed if name not in degradable]
        degraded = [name for name in failed if name in degradable]
        body: dict[str, object] = {"status": "ready", "checks": results}
        if degraded:
            body |= {"status": "degraded", "degraded": degraded}
        if failing:
            body |= {"status": "unavailable", "failing": failing}
            return JSONResponse(body, status_code=503)
        return JSONResponse(body)

    return router


async def _run(name: str, check: ReadinessCheck, timeout_s: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout_s)
    except TimeoutError:
        _log.warning("readiness check %s timed out after %.1fs", name, timeout_s)
        return f"timeout after {timeout_s:g}s"
    except Exception as exc:
        # The reason shown is the error's type only: messages can name hosts or credentials.
        _log.warning("readiness check %s failed: %s", name, type(exc).__name__, exc_info=True)
        return f"failed: {type(exc).__name__}"
    return "ok"


def database_check(engine: AsyncEngine) -> ReadinessCheck:
    """Ready when the database answers `SELECT 1`."""

    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def kafka_check(bootstrap_servers: list[str], *, request_timeout_s: float = 1.5) -> ReadinessCheck:
    """Ready when a broker answers a metadata request."""

    async def check() -> None:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap_servers,
            request_timeout_ms=int(request_timeout_s * 1000),
            client_id="readiness-check",
        )
        try:
            await admin.start()  # bootstrapping fetches cluster metadata from one broker
        finally:
            await admin.close()

    return check
