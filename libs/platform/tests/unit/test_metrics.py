"""`/metrics` serves the process's OpenTelemetry metrics in the Prometheus text format, with
request durations by route template, method and status class."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from uuid import uuid4

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from clinic_platform.metrics import count_on_commit, domain_counter
from clinic_platform.metrics.instruments import OutboxSample, Samples, register, unregister
from clinic_platform.metrics.provider import signal_url
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api
from clinic_testkit.prometheus import counter_value, parse_samples, sample_value

DURATION = "http_server_request_duration_seconds_count"
TEMPLATE = "/api/v1/demo/things/{thing_id}"


def things_router() -> APIRouter:
    router = APIRouter(prefix="/things")

    @router.get("/{thing_id}")
    async def get_thing(thing_id: str) -> dict[str, str]:
        return {"thing_id": thing_id}

    @router.post("/{thing_id}/explode")
    async def explode_thing(thing_id: str) -> None:
        raise RuntimeError("boom")

    return router


@pytest.fixture(scope="module")
def app() -> FastAPI:
    settings = ServiceSettings(service_name="demo")
    return create_service_api(settings, title="demo", routers=[things_router()], readiness={})


async def scrape(client: httpx.AsyncClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse_samples(response.text)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        yield client


def requests(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], **labels: str) -> float:
    return counter_value(samples, DURATION, **labels)


async def test_requests_are_counted_by_route_template_method_and_status_class_never_by_path(
    client: httpx.AsyncClient,
) -> None:
    ok = {"http_route": TEMPLATE, "http_request_method": "GET", "http_response_status_class": "2xx"}
    before = requests(await scrape(client), **ok)
    ids = [str(uuid4()) for _ in range(3)]
    for thing_id in ids:
        assert (await client.get(f"/api/v1/demo/things/{thing_id}")).status_code == 200
    page = (await client.get("/metrics")).text
    assert requests(parse_samples(page), **ok) == before + 3
    assert not any(thing_id in page for thing_id in ids)


async def test_errors_and_unknown_paths_get_their_status_class_and_no_path_label(
    client: httpx.AsyncClient,
) -> None:
    failed = {
        "http_route": "/api/v1/demo/things/{thing_id}/explode",
        "http_request_method": "POST",
        "http_response_status_class": "5xx",
    }
    unknown = {"http_route": "unmatched", "http_request_method": "GET"}
    before = await scrape(client)
    assert (await client.post("/api/v1/demo/things/7/explode")).status_code == 500
    assert (await client.get(f"/no/such/{uuid4()}")).status_code == 404
    after = await scrape(client)
    assert requests(after, **failed) == requests(before, **failed) + 1
    assert requests(after, **unknown, http_response_status_class="4xx") == (
        requests(before, **unknown, http_response_status_class="4xx") + 1
    )


async def test_metrics_are_at_the_root_and_not_in_the_openapi_document(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/api/v1/demo/openapi.json")).json()
    assert "/metrics" not in document["paths"]
    assert (await client.get("/api/v1/demo/metrics")).status_code == 404


async def test_the_gauges_report_each_registered_sample_source(client: httpx.AsyncClient) -> None:
    class Source:
        samples = Samples(OutboxSample(3, 12.5), {("demo-group", "demo.topic", 2): 7})

    source = Source()
    register(source)
    try:
        samples = await scrape(client)
    finally:
        unregister(source)
    assert sample_value(samples, "clinic_outbox_backlog") == 3
    assert sample_value(samples, "clinic_outbox_oldest_age_seconds") == 12.5
    lag = {"consumer_group": "demo-group", "topic": "demo.topic", "partition": "2"}
    assert sample_value(samples, "clinic_consumer_lag", **lag) == 7
    assert sample_value(await scrape(client), "clinic_consumer_lag", **lag) is None


async def test_a_failed_read_leaves_the_gauge_empty_rather_than_stale(
    client: httpx.AsyncClient,
) -> None:
    class Source:
        samples = Samples(outbox=None)

    source = Source()
    register(source)
    try:
        samples = await scrape(client)
    finally:
        unregister(source)
    assert sample_value(samples, "clinic_outbox_backlog") is None


async def test_a_domain_count_is_added_when_the_transaction_commits_and_never_on_rollback(
    client: httpx.AsyncClient,
) -> None:
    counter = domain_counter("clinic.test.widgets", unit="{widget}", description="Widgets.")
    engine = create_engine("sqlite://")
    before = counter_value(await scrape(client), "clinic_test_widgets_total", outcome="made")
    with Session(engine) as session, session.begin():
        count_on_commit(session, counter, {"outcome": "made"})
    with Session(engine) as session:
        session.begin()
        count_on_commit(session, counter, {"outcome": "made"})
        session.rollback()
        with session.begin():  # a later commit of the same session counts nothing stale
            pass
    after = counter_value(await scrape(client), "clinic_test_widgets_total", outcome="made")
    assert after == before + 1


def test_otlp_signal_urls_are_derived_from_the_collectors_base_url() -> None:
    assert signal_url("http://otel:4318", "metrics") == "http://otel:4318/v1/metrics"
    assert signal_url("http://otel:4318/v1/traces", "metrics") == "http://otel:4318/v1/metrics"
    assert signal_url("http://otel:4318/", "traces") == "http://otel:4318/v1/traces"


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Collector.received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    _Collector.received = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


PUSH = """
import sys
from clinic_platform.metrics import domain_counter
from clinic_platform.telemetry import setup_telemetry
provider = setup_telemetry("demo", sys.argv[1])
domain_counter("clinic.test.pushed", unit="1", description="Pushed.").add(2)
assert provider is not None
from opentelemetry import metrics
assert metrics.get_meter_provider().force_flush(10_000)
"""


async def test_metrics_are_pushed_over_otlp_when_an_endpoint_is_configured(collector: str) -> None:
    # Its own process: the meter provider is installed once per process.
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-c", PUSH, collector], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    paths = [path for path, _ in _Collector.received]
    assert "/v1/metrics" in paths
    body = b"".join(body for path, body in _Collector.received if path == "/v1/metrics")
    assert b"clinic.test.pushed" in body
