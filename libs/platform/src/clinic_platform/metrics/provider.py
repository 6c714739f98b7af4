"""The process's meter provider: scraped by Prometheus at `/metrics`, pushed over OTLP if set."""

from __future__ import annotations

from fastapi import APIRouter, Response
from opentelemetry import metrics
from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

# Our own registry, not prometheus_client's global one: `/metrics` shows exactly what the meter
# provider holds, never a library's stray collectors.
REGISTRY = CollectorRegistry(auto_describe=True)
OTLP_EXPORT_INTERVAL_MS = 30_000


def setup_metrics(service_name: str, otlp_endpoint: str | None) -> MeterProvider:
    """Install the process-wide meter provider; later calls return the one already installed."""
    current = metrics.get_meter_provider()
    if isinstance(current, MeterProvider):
        return current  # OpenTelemetry allows one global provider per process
    # Scope labels (otel_scope_name, …) are left out: they would ride on every series.
    readers: list[MetricReader] = [
        PrometheusMetricReader(scope_info_enabled=False, registry=REGISTRY)
    ]
    if otlp_endpoint:
        readers.append(
            PeriodicExportingMetricReader(
                OTLPMetricExporter(signal_url(otlp_endpoint, "metrics")),
                export_interval_millis=OTLP_EXPORT_INTERVAL_MS,
            )
        )
    provider = MeterProvider(
        metric_readers=readers, resource=Resource.create({SERVICE_NAME: service_name})
    )
    metrics.set_meter_provider(provider)
    return provider


def signal_url(endpoint: str, signal: str) -> str:
    """`<endpoint>/v1/<signal>`: settings hold the collector's base URL, exporters want the full
    URL of one signal (a base given with another signal's path is tolerated)."""
    endpoint = endpoint.rstrip("/")
    for known in ("traces", "metrics", "logs"):
        endpoint = endpoint.removesuffix(f"/v1/{known}")
    return f"{endpoint}/v1/{signal}"


def render() -> bytes:
    """Every metric of the process in the Prometheus text exposition format."""
    return generate_latest(REGISTRY)


def metrics_router() -> APIRouter:
    """`GET /metrics` for Prometheus; kept out of the OpenAPI document like the probes."""
    router = APIRouter(tags=["metrics"])

    @router.get("/metrics", include_in_schema=False)
    async def prometheus_metrics() -> Response:
        return Response(render(), media_type=CONTENT_TYPE_LATEST)

    return router
