"""Every log line of a request, uvicorn's access line included, carries the request id and the
trace and span ids; JSON lines by default, text in development."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import APIRouter, FastAPI

from clinic_platform.logs import JsonFormatter, setup_logging
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api
from clinic_testkit import free_ports

CALLER_TRACE = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{CALLER_TRACE}-b7ad6b7169203331-01"
log = logging.getLogger("demo.things")


def demo_app(settings: ServiceSettings) -> FastAPI:
    router = APIRouter()

    @router.get("/things/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        log.info("looking at thing %s", thing_id)
        return {"thing_id": thing_id}

    return create_service_api(settings, title="demo", routers=[router], readiness={})


@pytest.fixture
def captured() -> Iterator[Any]:
    """Yields a function that installs the platform's logging into a buffer; restores after."""
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buffer = io.StringIO()

    def install(settings: ServiceSettings) -> io.StringIO:
        handler = setup_logging(settings)
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(buffer)
        return buffer

    yield install
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])


async def serve_one_request(app: FastAPI, path: str, headers: dict[str, str]) -> httpx.Response:
    """Run the app in a real uvicorn, so its access log is the one under test."""
    [port] = free_ports(1)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(100):
            if server.started:
                break
            await asyncio.sleep(0.05)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            return await client.get(path, headers=headers)
    finally:
        server.should_exit = True
        await serving


async def test_the_app_line_and_uvicorns_access_line_carry_request_trace_and_span_ids(
    captured: Any,
) -> None:
    settings = ServiceSettings(service_name="demo", log_format="json")
    buffer = captured(settings)
    response = await serve_one_request(
        demo_app(settings),
        "/api/v1/demo/things/42?email=ada@example.org",
        {"X-Request-ID": "req-42", "traceparent": TRACEPARENT},
    )
    assert response.headers["X-Request-ID"] == "req-42"
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "req-42"]
    app_line = next(line for line in mine if line["logger"] == "demo.things")
    access = next(line for line in mine if line["logger"] == "uvicorn.access")
    for line in (app_line, access):
        assert line["trace_id"] == CALLER_TRACE
        assert len(line["span_id"]) == 16
        assert line["span_id"] != "b7ad6b7169203331"
        assert line["service"] == "demo"
        assert line["level"] == "INFO"
    assert app_line["message"] == "looking at thing 42"
    assert (access["method"], access["path"], access["status"]) == (
        "GET",
        "/api/v1/demo/things/42",
        200,
    )
    leaked = [line for line in lines if "example.org" in json.dumps(line)]
    assert not leaked, leaked  # the query string is never logged


async def test_a_request_without_an_id_gets_one_minted_and_a_malformed_one_is_replaced() -> None:
    app = demo_app(ServiceSettings(service_name="demo"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        minted = (await client.get("/healthz")).headers["X-Request-ID"]
        again = (await client.get("/healthz")).headers["X-Request-ID"]
        bad = 'a b"c' + "x" * 200
        replaced = (await client.get("/healthz", headers={"X-Request-ID": bad})).headers[
            "X-Request-ID"
        ]
    assert len(minted) == 32
    assert int(minted, 16) >= 0
    assert again != minted
    assert replaced != bad
    assert len(replaced) == 32


def test_json_is_the_default_outside_development_and_text_within() -> None:
    assert ServiceSettings(environment="development").effective_log_format == "text"
    production = ServiceSettings(
        environment="production", jwt_secret="a-real-secret-for-production-0123456789"
    )
    assert production.effective_log_format == "json"
    assert ServiceSettings(log_format="json").effective_log_format == "json"


def test_text_lines_in_development_still_name_the_request_and_trace(captured: Any) -> None:
    buffer = captured(ServiceSettings(service_name="demo"))
    logging.getLogger("demo").warning("plain %s", "words")
    line = buffer.getvalue().strip()
    assert line.endswith("WARNING demo [request_id=- trace_id=-] plain words")


def test_a_json_line_carries_the_traceback_and_any_extra_fields() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "demo", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    record.delivery_id = "d-1"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "failed"
    assert line["delivery_id"] == "d-1"
    assert "ValueError: broken" in line["exception"]
    assert line["time"].endswith("+00:00")
