"""What callers get when something behind the gateway is away: a 503 problem, never a bare 502
or 500, and the parts that do not depend on the missing piece keep working."""

from __future__ import annotations

import httpx
import pytest

from clinic_testkit.gateway import SERVICES
from clinic_testkit.infrastructure import free_ports
from clinic_testkit.plugin import LaunchGateway

from .support import VERIFIER, assert_problem, bearer

pytestmark = pytest.mark.integration


def test_a_service_that_is_down_gets_a_503_problem(launch_gateway: LaunchGateway) -> None:
    nobody_listens = {
        service: f"127.0.0.1:{port}" for service, port in zip(SERVICES, free_ports(4), strict=True)
    }
    gateway = launch_gateway(nobody_listens, **VERIFIER)
    for service in SERVICES:
        answer = httpx.get(f"{gateway.base_url}/api/v1/{service}/things", headers=bearer())
        assert_problem(answer, 503, "service_unavailable")
        # Public paths go the same way once past the token check.
        answer = httpx.get(f"{gateway.base_url}/api/v1/{service}/openapi.json")
        assert_problem(answer, 503, "service_unavailable")


def test_without_the_verifier_api_calls_get_a_503_problem_and_public_paths_still_work(
    launch_gateway: LaunchGateway, upstream_addresses: dict[str, str]
) -> None:
    gateway = launch_gateway(upstream_addresses, **VERIFIER)
    assert httpx.get(f"{gateway.base_url}/api/v1/booking/x", headers=bearer()).status_code == 200
    gateway.stop_verifier()

    answer = httpx.get(f"{gateway.base_url}/api/v1/booking/x", headers=bearer())
    assert_problem(answer, 503, "authentication_unavailable")
    assert answer.headers["retry-after"] == "1"
    assert httpx.get(f"{gateway.base_url}/api/v1/booking/openapi.json").status_code == 200
    assert httpx.get(f"{gateway.base_url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{gateway.base_url}/").status_code == 200
