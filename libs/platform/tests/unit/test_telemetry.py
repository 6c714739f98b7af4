"""A traceparent carried in an event continues the trace of the request that caused it."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi import APIRouter
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from clinic_platform.settings import ServiceSettings
from clinic_platform.telemetry import (
    context_from_traceparent,
    current_traceparent,
    setup_telemetry,
    tracer,
)
from clinic_platform.web import create_service_api


@pytest.fixture(scope="module")
def provider() -> TracerProvider:
    return setup_telemetry("test-service", None)


@pytest.fixture
def spans(provider: TracerProvider) -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # stops collecting; later tests get a fresh exporter


def test_without_a_collector_spans_are_not_recorded_but_trace_ids_still_flow(
    provider: TracerProvider,
) -> None:
    with tracer("producer").start_as_current_span("handle request") as span:
        assert not span.is_recording()  # nothing exports them, so none is built
        assert current_traceparent() is not None


def test_setting_up_telemetry_twice_returns_the_installed_provider(
    provider: TracerProvider,
) -> None:
    assert setup_telemetry("another", "http://127.0.0.1:4318") is provider
    assert trace.get_tracer_provider() is provider


def test_there_is_no_traceparent_outside_a_span(provider: TracerProvider) -> None:
    assert current_traceparent() is None


def test_a_span_started_from_a_captured_traceparent_shares_its_trace(
    provider: TracerProvider,
) -> None:
    with tracer("producer").start_as_current_span("handle request") as request_span:
        traceparent = current_traceparent()
    assert traceparent is not None
    with tracer("consumer").start_as_current_span(
        "consume event", context=context_from_traceparent(traceparent)
    ) as consumer_span:
        pass
    produced, consumed = request_span.get_span_context(), consumer_span.get_span_context()
    assert consumed.trace_id == produced.trace_id
    assert consumed.span_id != produced.span_id


@pytest.mark.parametrize("traceparent", [None, "", "garbage"])
def test_a_missing_or_malformed_traceparent_starts_a_new_trace(
    provider: TracerProvider, traceparent: str | None
) -> None:
    with tracer("consumer").start_as_current_span(
        "consume event", context=context_from_traceparent(traceparent)
    ) as span:
        context = span.get_span_context()
        assert context.is_valid
        assert not context.is_remote


async def test_a_request_continues_the_callers_trace(spans: InMemorySpanExporter) -> None:
    router = APIRouter()

    @router.get("/traced")
    async def traced() -> dict[str, str | None]:
        return {"traceparent": current_traceparent()}

    settings = ServiceSettings(service_name="demo")
    app = create_service_api(settings, title="demo", routers=[router], readiness={})
    caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        response = await client.get("/api/v1/demo/traced", headers={"traceparent": caller})
    inside = response.json()["traceparent"]
    assert inside.split("-")[1] == "0af7651916cd43dd8448eb211c80319c"
    server_spans = [s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.SERVER]
    assert [s.attributes and s.attributes.get("http.route") for s in server_spans] == [
        "/api/v1/demo/traced"
    ]
