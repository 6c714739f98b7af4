"""Rate limits at the real gateway: per client address before the token is read, per tenant
after it. Limits here are tiny (1 request a minute, a burst of 5) so a burst takes milliseconds
and nothing refills while a test runs; each test uses client addresses and tenants of its own
(the gateway trusts X-Forwarded-For from loopback, as from a load balancer)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest

from clinic_testkit.gateway import Gateway
from clinic_testkit.recording_upstream import RecordingUpstream

from .support import VERIFIER, assert_problem, bearer

pytestmark = pytest.mark.integration
BURST = 5
ALLOWED = BURST + 1  # the first request, then the burst
_addresses = (f"10.{n // 250}.{n % 250}.1" for n in itertools.count(1))


@pytest.fixture(scope="module")
def gateway(upstream_addresses: dict[str, str]) -> Iterator[Gateway]:
    limits = {
        "client_rate": "1r/m",
        "client_burst": str(BURST),
        "tenant_rate": "1r/m",
        "tenant_burst": str(BURST),
        "retry_after_s": "7",
    }
    running = Gateway(upstream_addresses, {**VERIFIER, **limits}).start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def client(gateway: Gateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway.base_url, timeout=10) as session:
        yield session


def from_address(address: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {"X-Forwarded-For": address, **(headers or {})}


def test_a_client_bursting_gets_429_with_retry_after_and_other_clients_do_not(
    client: httpx.Client,
) -> None:
    bursting, other = next(_addresses), next(_addresses)
    answers = [
        client.get("/api/v1/booking/openapi.json", headers=from_address(bursting))
        for _ in range(ALLOWED + 3)
    ]
    assert [a.status_code for a in answers] == [200] * ALLOWED + [429] * 3
    for refused in answers[ALLOWED:]:
        body = assert_problem(refused, 429, "rate_limited")
        assert body["limit"] == "client"
        assert refused.headers["retry-after"] == "7"
    answer = client.get("/api/v1/booking/openapi.json", headers=from_address(other))
    assert answer.status_code == 200


def test_the_client_limit_applies_before_the_token_is_checked(
    client: httpx.Client, gateway: Gateway
) -> None:
    address = next(_addresses)
    bad = from_address(address, {"Authorization": "Bearer forged"})
    statuses = [
        client.get("/api/v1/booking/x", headers=bad).status_code for _ in range(ALLOWED + 2)
    ]
    assert statuses == [401] * ALLOWED + [429] * 2
    # The refused ones never cost the verifier a call (auth=- in the access log).
    refused = [
        line for line in gateway.access_log() if line.startswith(address) and " 429 " in line
    ]
    assert len(refused) == 2
    assert all("auth=- " in line for line in refused)


def test_the_service_sees_the_client_and_the_proxy_in_x_forwarded_for(
    client: httpx.Client, upstream: RecordingUpstream
) -> None:
    path = f"/api/v1/booking/forwarded/{uuid4()}"
    address = next(_addresses)
    assert client.get(path, headers=from_address(address, bearer())).status_code == 200
    [seen] = upstream.seen(path_contains=path)
    assert seen.headers["x-forwarded-for"] == f"{address}, 127.0.0.1"


def test_a_tenant_bursting_gets_429_and_another_tenant_does_not(
    client: httpx.Client, upstream: RecordingUpstream
) -> None:
    bursting, calm = uuid4(), uuid4()
    marker = f"/api/v1/schedules/burst/{uuid4()}"
    # Each request from another address: only the tenant's own budget can run out.
    answers = [
        client.get(marker, headers=from_address(next(_addresses), bearer(bursting)))
        for _ in range(ALLOWED + 3)
    ]
    assert [a.status_code for a in answers] == [200] * ALLOWED + [429] * 3
    for refused in answers[ALLOWED:]:
        assert assert_problem(refused, 429, "rate_limited")["limit"] == "tenant"
        assert refused.headers["retry-after"] == "7"
    assert len(upstream.seen(path_contains=marker)) == ALLOWED

    calm_answers = [
        client.get(marker, headers=from_address(next(_addresses), bearer(calm)))
        for _ in range(ALLOWED)
    ]
    assert [a.status_code for a in calm_answers] == [200] * ALLOWED


def test_a_caller_cannot_spend_another_tenants_budget_by_naming_it(
    client: httpx.Client,
) -> None:
    victim, attacker = uuid4(), uuid4()
    forged = {"X-Gateway-Tenant": str(victim)}
    attacks = [
        client.get(
            "/api/v1/booking/x",
            headers=from_address(next(_addresses), {**forged, **bearer(attacker)}),
        )
        for _ in range(ALLOWED + 2)
    ]
    assert [a.status_code for a in attacks] == [200] * ALLOWED + [429] * 2  # the attacker's own
    public = [
        client.get("/api/v1/booking/openapi.json", headers=from_address(next(_addresses), forged))
        for _ in range(ALLOWED + 2)
    ]
    assert {a.status_code for a in public} == {200}  # public paths count against no tenant
    victims = [
        client.get("/api/v1/booking/x", headers=from_address(next(_addresses), bearer(victim)))
        for _ in range(ALLOWED)
    ]
    assert [a.status_code for a in victims] == [200] * ALLOWED
