"""A booking in the real booking service removes its slot from schedules' answer within a second,
and cancelling it gives the slot back: two service processes sharing the real Kafka broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.auth import issue_token
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.settings import ServiceSettings
from clinic_testkit.topic_reader import skip_group_to_end

pytestmark = pytest.mark.integration
ZONE = ZoneInfo("Europe/London")
BOOKING, SCHEDULES = "/api/v1/booking", "/api/v1/schedules"
PROPAGATION_LIMIT_S = 1.0
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def put_weekly_template(
    schedules_url: str, admin: dict[str, str], practitioner_id: UUID, location_id: UUID
) -> None:
    """09:00-17:00 every day through schedules' rules API, once the catalog has reached it."""
    url = f"{schedules_url}{SCHEDULES}/practitioners/{practitioner_id}/availability/default"
    day = [{"start_time": "09:00", "end_time": "17:00"}]
    body = {
        "location_id": str(location_id),
        "effective_from": "2020-01-01",
        "schedule": {name: day for name in WEEKDAYS},
    }

    def stored() -> bool:
        response = httpx.put(url, json=body, headers=admin)
        if response.status_code == 404:  # the catalog events have not arrived yet
            return False
        assert response.status_code == 200, response.text
        return True

    poll(stored, 30, "the catalog never reached schedules")


def poll(until: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Seconds until `until()` first holds, asking as fast as the service answers."""
    began = time.monotonic()
    while not until():
        if time.monotonic() - began > timeout_s:
            raise AssertionError(f"{what}: not within {timeout_s} s")
        time.sleep(0.005)
    return time.monotonic() - began


def test_a_booking_removes_its_slot_within_a_second_and_cancelling_gives_it_back(
    launch_service: Any, kafka_bootstrap: str
) -> None:
    # Topics are provisioned (never auto-created), and schedules starts at their ends, so it
    # applies only what this test publishes.
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    for topic in CONSUMER_GROUPS["schedules"]:
        asyncio.run(skip_group_to_end(kafka_bootstrap, "schedules", topic))
    schedules = launch_service("schedules")
    booking = launch_service("booking", schedules_url=schedules.base_url)
    tenant = uuid4()
    token = issue_token(ServiceSettings(), subject="desk", tenant_id=tenant, roles=["admin"])
    admin = {"Authorization": f"Bearer {token}"}

    def create(path: str, body: dict[str, Any]) -> UUID:
        response = httpx.post(f"{booking.base_url}{BOOKING}{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return UUID(response.json()["id"])

    location = create("/locations", {"name": "Soho", "timezone": "Europe/London"})
    practitioner = create(
        "/practitioners",
        {"display_name": "Dr. Ada", "status": "active", "location_ids": [str(location)]},
    )
    kind = create(
        "/appointment-types",
        {
            "slug": "check-up",
            "name": "Check-up",
            "duration_minutes": 30,
            "price": "50.00",
            "currency": "GBP",
        },
    )
    patient = create(
        "/patients",
        {
            "name": "Grace",
            "email": "grace@example.org",
            "preferred_language": "en",
            "preferred_channel": "email",
        },
    )
    put_weekly_template(schedules.base_url, admin, practitioner, location)

    day = datetime.now(ZONE).date() + timedelta(days=2)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=ZONE)
    slots_url = f"{schedules.base_url}{SCHEDULES}/practitioners/{practitioner}/availability/slots"
    params = {"date": day.isoformat(), "appointment_type_id": str(kind)}

    def offered() -> bool:
        response = httpx.get(slots_url, params=params, headers=admin)
        if response.status_code == 404:  # the catalog events have not arrived yet
            return False
        assert response.status_code == 200, response.text
        return any(datetime.fromisoformat(s["start"]) == start for s in response.json()["slots"])

    poll(offered, 10, "the template's slot was never offered")

    booked = httpx.post(
        f"{booking.base_url}{BOOKING}/appointments",
        json={
            "appointment_type_id": str(kind),
            "location_id": str(location),
            "practitioner_ids": [str(practitioner)],
            "patient_id": str(patient),
            "start_at": start.isoformat(),
        },
        headers=admin,
    )
    assert booked.status_code == 201, booked.text
    assert booked.json()["hours_decided_by"] == "schedules"
    gone = poll(lambda: not offered(), 10, "the booked slot stayed offered")

    cancelled = httpx.post(
        f"{booking.base_url}{BOOKING}/appointments/{booked.json()['id']}/cancel",
        json={"reason": "changed plans"},
        headers=admin,
    )
    assert cancelled.status_code == 200, cancelled.text
    back = poll(offered, 10, "the cancelled slot never came back")

    print(
        f"slot gone {gone * 1000:.0f} ms after the 201, back {back * 1000:.0f} ms after the cancel"
    )
    assert gone <= PROPAGATION_LIMIT_S
    assert back <= PROPAGATION_LIMIT_S
