"""OpenTelemetry tracing: one trace from an HTTP request through every event it causes."""

from __future__ import annotations

import weakref
from collections.abc import MutableMapping

from fastapi import FastAPI
from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from clinic_platform.metrics.provider import setup_metrics, signal_url

# W3C trace context only: it is what the outbox writes into the `traceparent` event header.
_PROPAGATOR = TraceContextTextMapPropagator()
_HEALTH_URLS = "/healthz,/readyz,/metrics"  # probes and scrapes would drown real traces
_instrumented_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


def setup_telemetry(service_name: str, otlp_endpoint: str | None) -> TracerProvider:
    """Install the process-wide tracer and meter providers; later calls keep the installed ones
    and return the tracer provider."""
    setup_metrics(service_name, otlp_endpoint)
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current  # OpenTelemetry allows one global provider per process
    # With nowhere to send spans, record none (they cost CPU on every query) but keep trace ids
    # flowing: unsampled contexts still carry the caller's trace into events and consumers.
    sampler = ParentBased(ALWAYS_ON if otlp_endpoint else ALWAYS_OFF)
    provider = TracerProvider(
        resource=Resource.create({SERVICE_NAME: service_name}), sampler=sampler
    )
    if otlp_endpoint:
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(signal_url(otlp_endpoint, "traces")))
        )
    trace.set_tracer_provider(provider)
    return provider


def instrument_fastapi(app: FastAPI) -> None:
    """A server span per request, continuing the caller's `traceparent` when it sends one."""
    # Its HTTP metrics are off: the platform records its own (status class, route templates).
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls=_HEALTH_URLS, meter_provider=NoOpMeterProvider()
    )


def instrument_sqlalchemy(engine: AsyncEngine) -> None:
    """A client span per statement of `engine`; instrumenting the same engine twice is a no-op."""
    sync_engine = engine.sync_engine
    if sync_engine in _instrumented_engines:
        return
    # EngineTracer directly, not SQLAlchemyInstrumentor: the instrumentor is a process-wide
    # singleton that would silently ignore every engine after the first.
    connections = metrics.get_meter(__name__).create_up_down_counter(
        name="db.client.connections.usage",
        unit="connections",
        description="Connections in the state described by the state attribute.",
    )
    EngineTracer(tracer(__name__), sync_engine, connections)  # type: ignore[no-untyped-call]
    _instrumented_engines.add(sync_engine)


def tracer(name: str) -> trace.Tracer:
    """A tracer from the global provider."""
    return trace.get_tracer(name)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, or None outside any recorded span."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


def inject_trace_context(headers: MutableMapping[str, str]) -> None:
    """Set `traceparent` in outgoing `headers` from the current span (nothing outside a span)."""
    _PROPAGATOR.inject(headers)


def context_from_traceparent(traceparent: str | None) -> Context:
    """A context whose parent is `traceparent`; an empty one (a new trace) when absent or bad."""
    if not traceparent:
        return Context()
    return _PROPAGATOR.extract({"traceparent": traceparent}, context=Context())
