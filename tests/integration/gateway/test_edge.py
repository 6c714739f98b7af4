"""The real nginx gateway in front of recording upstreams: routing, the token check before any
service, public paths, request ids and trace context, body cap, WebSockets, the web app, and a
problem document for every error the gateway makes itself."""

from __future__ import annotations

import http.client
import re
import shutil
import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from clinic_testkit.gateway import SERVICES, Gateway, find_gateway_dir
from clinic_testkit.infrastructure import make_state_dir
from clinic_testkit.recording_upstream import RecordingUpstream

from .support import VERIFIER, assert_problem, bearer, token, token_without_tenant

pytestmark = pytest.mark.integration
ASSET = "assets/app.3f9a1c.js"


@pytest.fixture(scope="module")
def web_root() -> Iterator[Path]:
    """The placeholder web app, plus one content-hashed asset as a real build would have."""
    root = make_state_dir("clinic-web-root-")  # world-readable: nginx's workers read it
    shutil.copytree(find_gateway_dir() / "web-root", root, dirs_exist_ok=True)
    (root / "assets").mkdir()
    (root / ASSET).write_text("console.log('app');\n")
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def gateway(upstream_addresses: dict[str, str], web_root: Path) -> Iterator[Gateway]:
    settings = {**VERIFIER, "web_root": str(web_root), "upstream_timeout_s": "1"}
    running = Gateway(upstream_addresses, settings).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.base_url, timeout=10) as session:
        yield session


def raw_get(gateway: Gateway, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """A GET with the path sent exactly as written (no client-side dot-segment removal)."""
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        return httpx.Response(answer.status, headers=answer.getheaders(), content=answer.read())
    finally:
        connection.close()


@pytest.mark.parametrize("service", SERVICES)
def test_each_api_prefix_reaches_its_own_service_with_path_and_query_unchanged(
    service: str, client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/{service}/things/{uuid4()}"
    answer = client.get(path, params={"from": "2026-01-01", "n": "2"}, headers=bearer())
    assert answer.status_code == 200
    assert answer.json() == {"service": service, "path": path}
    [seen] = upstream.seen(path_contains=path)
    assert (seen.service, seen.path, seen.query) == (service, path, "from=2026-01-01&n=2")


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "unauthorized"),
        ("Basic dXNlcjpwYXNz", "unauthorized"),
        ("Bearer not-a-jwt", "invalid_token"),
        (f"Bearer {token()}x", "invalid_token"),  # signature broken
        (f"Bearer {token(ttl=timedelta(minutes=-5))}", "invalid_token"),  # expired
        (f"Bearer {token_without_tenant()}", "invalid_token"),
    ],
    ids=["missing", "basic", "garbage", "bad-signature", "expired", "no-tenant"],
)
def test_a_request_without_a_valid_token_gets_401_and_no_service_sees_it(
    authorization: str | None, code: str, client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/booking/appointments/{uuid4()}"
    headers = {"Authorization": authorization} if authorization else {}
    answer = client.post(path, headers=headers, json={"start": "2026-01-01T09:00:00Z"})
    assert_problem(answer, 401, code)
    assert answer.headers.get_list("www-authenticate") == [
        'Bearer error="invalid_token"' if code == "invalid_token" else "Bearer"
    ]
    assert upstream.seen(path_contains=path) == []


def test_the_401_detail_says_what_is_wrong_with_the_token(client: httpx.Client) -> None:
    expired = f"Bearer {token(ttl=timedelta(minutes=-5))}"
    answer = client.get("/api/v1/booking/patients", headers={"Authorization": expired})
    assert assert_problem(answer, 401, "invalid_token")["detail"] == "the token has expired"
    answer = client.get(
        "/api/v1/booking/patients", headers={"Authorization": f"Bearer {token_without_tenant()}"}
    )
    assert "tenant_id" in assert_problem(answer, 401, "invalid_token")["detail"]


@pytest.mark.parametrize(
    "path",
    [
        *(f"/api/v1/{service}/openapi.json" for service in SERVICES),
        *(f"/api/v1/{service}/docs" for service in SERVICES),
        "/api/v1/calendar-sync/feeds/3b1f0c2e.ics",
        "/api/v1/calendar-sync/google/notifications",
    ],
)
def test_public_paths_reach_the_service_without_a_token(
    path: str, client: httpx.Client, upstream: RecordingUpstream
) -> None:
    before = len(upstream.seen(path_contains=path))
    answer = client.get(path)
    assert answer.status_code == 200
    assert len(upstream.seen(path_contains=path)) == before + 1


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/calendar-sync/feeds/../connections",
        "/api/v1/calendar-sync/feeds/%2e%2e/connections",
        "/api/v1/booking/docs/../patients",
        "/api/v1/booking/openapi.json/patients",
        "/api/v1/booking/docs/patients",
        "/api/v1/calendar-sync/google/notifications/extra",
    ],
)
def test_a_public_path_opens_nothing_beside_it(
    path: str, gateway: Gateway, upstream: RecordingUpstream
) -> None:
    before = len(upstream.requests)
    assert_problem(raw_get(gateway, path), 401, "unauthorized")
    assert len(upstream.requests) == before


def test_a_service_sees_the_normalised_path_the_token_was_checked_for(
    gateway: Gateway, upstream: RecordingUpstream
) -> None:
    marker = uuid4()
    answer = raw_get(gateway, f"/api/v1/booking/x/../{marker}/./y//z", bearer())
    assert answer.status_code == 200
    [seen] = upstream.seen(path_contains=str(marker))
    assert seen.path == f"/api/v1/booking/{marker}/y/z"


def test_the_token_trace_context_and_request_id_reach_the_service(
    client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/schedules/practitioners/{uuid4()}"
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    headers = {
        **bearer(),
        "traceparent": traceparent,
        "tracestate": "vendor=opaque",
        "X-Request-ID": "client-req-0001",
        "X-Gateway-Tenant": str(uuid4()),  # forged: must never reach a service
    }
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200
    assert answer.headers.get_list("x-request-id") == ["client-req-0001"]
    [seen] = upstream.seen(path_contains=path)
    assert seen.headers["authorization"] == headers["Authorization"]
    assert seen.headers["traceparent"] == traceparent
    assert seen.headers["tracestate"] == "vendor=opaque"
    assert seen.headers["x-request-id"] == "client-req-0001"
    assert seen.headers["x-forwarded-for"] == "127.0.0.1"
    assert "x-gateway-tenant" not in seen.headers


@pytest.mark.parametrize(
    "sent", [None, "short", "has space in it", "<script>alert(1)</script>", "x" * 129]
)
def test_a_request_id_is_minted_when_the_caller_sends_none_or_an_unsafe_one(
    sent: str | None, client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/notifications/templates/{uuid4()}"
    answer = client.get(path, headers={**bearer(), **({"X-Request-ID": sent} if sent else {})})
    minted = answer.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", minted)
    [seen] = upstream.seen(path_contains=path)
    assert seen.headers["x-request-id"] == minted


def test_a_body_over_one_mebibyte_gets_413_and_never_reaches_the_service(
    client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/booking/patients/{uuid4()}"
    answer = client.post(path, headers=bearer(), content=b"x" * (1024 * 1024 + 1))
    assert_problem(answer, 413, "content_too_large")
    assert upstream.seen(path_contains=path) == []
    just_fits = client.post(path, headers=bearer(), content=b"x" * (1024 * 1024))
    assert just_fits.status_code == 200
    assert len(upstream.seen(path_contains=path)[0].body) == 1024 * 1024


@pytest.mark.parametrize("path", ["/api/v1/no-such-service/x", "/api/v2/booking/x", "/api"])
def test_an_api_path_no_service_serves_gets_404(client: httpx.Client, path: str) -> None:
    assert_problem(client.get(path, headers=bearer()), 404, "not_found")


def test_the_web_app_is_served_at_the_root_and_its_routes_fall_back_to_index(
    client: httpx.Client, gateway: Gateway
) -> None:
    placeholder = (find_gateway_dir() / "web-root" / "index.html").read_text()
    for path in ("/", "/index.html", "/patients/123/appointments", "/settings"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert page.text == placeholder
        assert page.headers["cache-control"] == "no-cache"  # revalidated: a deploy shows at once
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["x-request-id"]
    revalidated = client.get("/", headers={"If-None-Match": client.get("/").headers["etag"]})
    assert revalidated.status_code == 304


def test_content_hashed_assets_are_cached_for_a_year_and_missing_ones_are_404(
    client: httpx.Client,
) -> None:
    asset = client.get(f"/{ASSET}")
    assert asset.status_code == 200
    assert asset.text == "console.log('app');\n"
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_problem(client.get("/assets/app.0000.js"), 404, "not_found")


def test_writing_to_the_web_app_gets_405(client: httpx.Client) -> None:
    assert_problem(client.post("/settings", content=b"{}"), 405, "method_not_allowed")


def test_websocket_upgrades_pass_through_to_the_service(
    gateway: Gateway, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/booking/live/{uuid4()}"
    url = f"ws://127.0.0.1:{gateway.port}{path}"
    with connect(url, additional_headers=bearer(), open_timeout=5) as socket:
        socket.send("hello")
        assert socket.recv(timeout=5) == "booking:hello"
        socket.send("again")
        assert socket.recv(timeout=5) == "booking:again"
    [seen] = upstream.seen(path_contains=path)
    assert seen.kind == "websocket"
    assert seen.headers["x-request-id"]


def test_a_websocket_without_a_token_is_refused_before_the_service(
    gateway: Gateway, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/booking/live/{uuid4()}"
    with pytest.raises(InvalidStatus) as refused:
        connect(f"ws://127.0.0.1:{gateway.port}{path}", open_timeout=5)
    assert refused.value.response.status_code == 401
    assert upstream.seen(path_contains=path) == []


def test_a_service_that_answers_too_late_gets_504(
    client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/schedules/slow/{uuid4()}"
    answer = client.get(path, params={"sleep": "3"}, headers=bearer())
    assert_problem(answer, 504, "gateway_timeout")
    assert len(upstream.seen(path_contains=path)) == 1  # reached it once, never retried


@pytest.mark.parametrize(
    ("request_bytes", "status", "code"),
    [
        (b"GARBAGE\r\n\r\n", 400, "bad_request"),
        (b"GET /api/v1/booking/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "bad_request"),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "uri_too_long"),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n",
            431,
            "header_too_large",
        ),
    ],
    ids=["request-line", "duplicate-host", "uri", "header"],
)
def test_requests_nginx_cannot_read_get_problem_documents(
    gateway: Gateway, request_bytes: bytes, status: int, code: str
) -> None:
    with socket.create_connection(("127.0.0.1", gateway.port), timeout=5) as raw:
        raw.sendall(request_bytes)
        received = b""
        while chunk := raw.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    answer = httpx.Response(int(lines[0].split()[1]), headers=headers, content=body)
    assert_problem(answer, status, code)


def test_a_repeated_token_is_answered_from_the_verifiers_cache(
    client: httpx.Client, gateway: Gateway
) -> None:
    headers = bearer()
    ids = []
    for n in range(3):
        answer = client.get(f"/api/v1/booking/x/{n}", headers=headers)
        assert answer.status_code == 200
        ids.append(answer.headers["x-request-id"])
    lines = {
        i: next(
            line for line in gateway.access_log() if f"request_id={i}" in line and "auth=" in line
        )
        for i in ids
    }
    assert [("auth=miss" in lines[i], "auth=hit" in lines[i]) for i in ids] == [
        (True, False),
        (False, True),
        (False, True),
    ]
