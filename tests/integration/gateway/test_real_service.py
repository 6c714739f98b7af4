"""A real service behind the real gateway: both judge the same token the same way, and the
service's own answers (documents, problems) reach the caller unchanged."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx
import pytest

from clinic_testkit.plugin import LaunchGateway

from .support import SECRET, VERIFIER, assert_problem, bearer

pytestmark = pytest.mark.integration


def test_booking_behind_the_gateway_serves_its_api_to_a_token_both_accept(
    launch_service: Any, launch_gateway: LaunchGateway
) -> None:
    booking = launch_service("booking", environment="test", jwt_secret=SECRET)
    gateway = launch_gateway({"booking": booking.base_url.removeprefix("http://")}, **VERIFIER)
    api = f"{gateway.base_url}/api/v1/booking"

    document = httpx.get(f"{api}/openapi.json")
    assert document.status_code == 200
    assert document.json()["info"]["title"]

    window = {"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z"}
    page = httpx.get(f"{api}/appointments", params=window, headers=bearer())
    assert page.status_code == 200, page.text
    assert page.json()["items"] == []

    assert_problem(httpx.get(f"{api}/appointments", params=window), 401, "unauthorized")

    # The service's own problem passes through as the service wrote it.
    missing = httpx.get(f"{api}/appointments/{uuid4()}", headers=bearer())
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["instance"].startswith("/api/v1/booking/appointments/")
    assert "request_id" not in missing.json()
