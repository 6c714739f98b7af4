"""Booking asks the real schedules service about working hours over HTTP, and copes without it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_platform.auth import issue_token
from clinic_platform.settings import ServiceSettings

pytestmark = pytest.mark.integration
ZONE = "Europe/London"


def local(days: int, hour: int) -> str:
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(ZONE)).isoformat()


def seed(api: str, admin: dict[str, str]) -> dict[str, Any]:
    def create(path: str, body: dict[str, Any]) -> str:
        response = httpx.post(f"{api}{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    location = create("/locations", {"name": "Soho", "timezone": ZONE})
    return {
        "location_id": location,
        "practitioner_ids": [
            create(
                "/practitioners",
                {"display_name": "Dr. Ada", "status": "active", "location_ids": [location]},
            )
        ],
        "appointment_type_id": create(
            "/appointment-types",
            {
                "slug": "check-up",
                "name": "Check-up",
                "duration_minutes": 30,
                "price": "50.00",
                "currency": "GBP",
            },
        ),
        "patient_id": create(
            "/patients",
            {
                "name": "Grace",
                "email": "grace@example.org",
                "preferred_language": "en",
                "preferred_channel": "email",
            },
        ),
    }


def test_when_schedules_does_not_know_the_practitioner_booking_uses_its_default_hours(
    launch_service: Any,
) -> None:
    schedules = launch_service("schedules")
    booking = launch_service("booking", schedules_url=schedules.base_url)
    api = f"{booking.base_url}/api/v1/booking"
    token = issue_token(ServiceSettings(), subject="desk", tenant_id=uuid4(), roles=["admin"])
    admin = {"Authorization": f"Bearer {token}"}
    request = seed(api, admin)

    early = httpx.post(
        f"{api}/appointments", json={**request, "start_at": local(2, 7)}, headers=admin
    )
    assert early.status_code == 422
    assert early.json()["decided_by"] == "fallback_default_hours"
    booked = httpx.post(
        f"{api}/appointments", json={**request, "start_at": local(2, 10)}, headers=admin
    )
    assert booked.status_code == 201
    assert booked.json()["hours_decided_by"] == "fallback_default_hours"
    # Schedules really was asked: its access log shows the check it answered with 404.
    schedules.stop()
    assert "/api/v1/schedules/availability/check" in schedules.log()
