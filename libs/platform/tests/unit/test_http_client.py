"""Outgoing calls carry the caller's trace and request id to the service they call."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from clinic_platform.http_client import traced_transport
from clinic_platform.settings import ServiceSettings
from clinic_platform.telemetry import setup_telemetry, tracer
from clinic_platform.web import create_service_api

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_a_call_made_inside_a_span_sends_that_trace_as_traceparent() -> None:
    setup_telemetry("test-service", None)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    transport = traced_transport(httpx.MockTransport(answer))
    async with httpx.AsyncClient(transport=transport, base_url="http://callee") as client:
        with tracer("test").start_as_current_span("handle request") as span:
            await client.get("/things", params={"email": "ada@example.org"})
        await client.get("/outside")
    trace_id = format(span.get_span_context().trace_id, "032x")
    version, sent_trace, parent, _flags = seen[0].headers["traceparent"].split("-")
    assert (version, sent_trace) == ("00", trace_id)
    assert len(parent) == 16
    assert "traceparent" in seen[1].headers  # a call outside any span starts its own trace
    assert seen[1].headers["traceparent"].split("-")[1] != trace_id


async def test_a_call_made_while_serving_a_request_passes_its_trace_and_request_id_on() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    callee = httpx.AsyncClient(
        transport=traced_transport(httpx.MockTransport(answer)), base_url="http://callee"
    )
    router = APIRouter()

    @router.get("/relay")
    async def relay() -> dict[str, str]:
        await callee.get("/check")
        return {}

    app = create_service_api(
        ServiceSettings(service_name="caller"), title="caller", routers=[router], readiness={}
    )
    caller = f"00-{CALLER_TRACE}-00f067aa0ba902b7-01"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://caller"
    ) as client:
        response = await client.get(
            "/api/v1/caller/relay", headers={"traceparent": caller, "X-Request-ID": "req-7"}
        )
    await callee.aclose()
    assert response.status_code == 200
    [call] = seen
    assert call.headers["traceparent"].split("-")[1] == CALLER_TRACE
    assert call.headers["X-Request-ID"] == "req-7"
