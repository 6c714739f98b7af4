"""Booking asks the real schedules service about working hours over HTTP, and copes without it:
a weekly template in schedules decides; an unreachable schedules falls back to booking's default
hours; a practitioner schedules has not learnt of yet is refused (503), never guessed."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
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
ZONE = "Europe/London"


def local(days: int, hour: int) -> str:
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(ZONE)).isoformat()


def weekday(hour: int) -> str:
    """`hour` local on a weekday at least two days ahead."""
    days = 2
    while (datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)).weekday() >= 5:
        days += 1
    return local(days, hour)


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


@dataclass
class Pair:
    """Schedules and booking as processes on the broker, and one tenant's seeded catalog."""

    schedules: Any
    booking: Any
    tenant_id: UUID
    admin: dict[str, str]
    request: dict[str, Any]

    @property
    def api(self) -> str:
        return f"{self.booking.base_url}/api/v1/booking"

    def book(self, start_at: str, headers: dict[str, str], **extra: Any) -> httpx.Response:
        body = {**self.request, "start_at": start_at, **extra}
        return httpx.post(f"{self.api}/appointments", json=body, headers=headers)


def launch_pair(launch_service: Any, kafka_bootstrap: str, **schedules_settings: str) -> Pair:
    """Topics provisioned (never auto-created) and schedules' group at their ends, then both
    services, then the catalog seeded in booking (its events are on their way to schedules)."""
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    skip_schedules_to_end(kafka_bootstrap)
    schedules = launch_service("schedules", **schedules_settings)
    booking = launch_service("booking", schedules_url=schedules.base_url)
    tenant = uuid4()
    token = issue_token(ServiceSettings(), subject="desk", tenant_id=tenant, roles=["admin"])
    admin = {"Authorization": f"Bearer {token}"}
    return Pair(
        schedules, booking, tenant, admin, seed(f"{booking.base_url}/api/v1/booking", admin)
    )


def skip_schedules_to_end(kafka_bootstrap: str) -> None:
    for topic in CONSUMER_GROUPS["schedules"]:
        asyncio.run(skip_group_to_end(kafka_bootstrap, "schedules", topic))


def add_template(pair: Pair, practitioner: str | None = None) -> None:
    """Monday to Friday 09:00-12:00 through schedules' rules API (the catalog must be there)."""
    practitioner = practitioner or pair.request["practitioner_ids"][0]
    day = [{"start_time": "09:00", "end_time": "12:00"}]
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday")
    response = httpx.put(
        f"{pair.schedules.base_url}/api/v1/schedules/practitioners/{practitioner}"
        "/availability/default",
        json={
            "location_id": pair.request["location_id"],
            "effective_from": "2020-01-01",
            "schedule": {name: day for name in weekdays},
        },
        headers=pair.admin,
    )
    assert response.status_code == 200, response.text


def check(
    pair: Pair, start: str, headers: dict[str, str], practitioner: str | None = None
) -> httpx.Response:
    end = (datetime.fromisoformat(start) + timedelta(minutes=30)).isoformat()
    return httpx.get(
        f"{pair.schedules.base_url}/api/v1/schedules/availability/check",
        params={
            "practitioner_id": practitioner or pair.request["practitioner_ids"][0],
            "location_id": pair.request["location_id"],
            "start": start,
            "end": end,
        },
        headers=headers,
    )


def wait_until_known(pair: Pair, practitioner: str | None = None) -> None:
    """Booking's catalog events reach schedules through the broker (30 s at most)."""
    deadline = time.monotonic() + 30
    while check(pair, weekday(10), pair.admin, practitioner).status_code == 404:
        assert time.monotonic() < deadline, "the catalog never reached schedules"
        time.sleep(0.1)


def monday(hour: int) -> str:
    """`hour` local on the next Monday at least two days ahead."""
    days = 2
    while (datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)).weekday() != 0:
        days += 1
    return local(days, hour)


def test_a_practitioner_schedules_has_not_learnt_of_yet_is_refused_then_decided_by_schedules(
    launch_service: Any, kafka_broker: Any
) -> None:
    pair = launch_pair(launch_service, kafka_broker.bootstrap_servers)
    wait_until_known(pair)
    # With the broker away, the new practitioner's event waits in booking's outbox: schedules
    # answers, but its replica is behind (the window in which booking used to guess).
    kafka_broker.stop()
    try:
        created = httpx.post(
            f"{pair.api}/practitioners",
            json={
                "display_name": "Dr. New",
                "status": "active",
                "location_ids": [pair.request["location_id"]],
            },
            headers=pair.admin,
        )
        assert created.status_code == 201, created.text
        newcomer = str(created.json()["id"])
        # Monday 20:00 is inside booking's default hours (08:00-21:00): a guess would book it.
        early = pair.book(monday(20), pair.admin, practitioner_ids=[newcomer])
        assert early.status_code == 503, early.text
        assert early.headers["content-type"].startswith("application/problem+json")
        assert early.headers["retry-after"] == "2"
        problem = early.json()
        assert (problem["code"], problem["field"]) == ("working_hours_unknown", "practitioner_ids")
        # Schedules was asked several times (it answered 404 problems) before booking gave up.
        asked = [
            line for line in pair.schedules.log().splitlines() if "/availability/check" in line
        ]
        assert sum(" 404" in line for line in asked) >= 2
    finally:
        kafka_broker.start()
    wait_until_known(pair, newcomer)
    # Now schedules knows her, and she has no weekly hours: refused by schedules' rule.
    refused = pair.book(monday(20), pair.admin, practitioner_ids=[newcomer])
    assert refused.status_code == 422, refused.text
    assert (refused.json()["code"], refused.json()["decided_by"]) == (
        "outside_working_hours",
        "schedules",
    )
    mine = httpx.get(
        f"{pair.api}/appointments",
        params={"from": local(0, 0), "to": local(30, 0), "practitioner_id": newcomer},
        headers=pair.admin,
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["items"] == []  # neither refusal wrote anything


def test_booking_inside_the_weekly_template_passes_the_real_check_and_outside_is_refused(
    launch_service: Any, kafka_bootstrap: str
) -> None:
    pair = launch_pair(launch_service, kafka_bootstrap)
    wait_until_known(pair)
    add_template(pair)
    token = issue_token(
        ServiceSettings(),
        subject="grace",
        tenant_id=pair.tenant_id,
        roles=["patient"],
        patient_id=UUID(pair.request["patient_id"]),
    )
    patient = {"Authorization": f"Bearer {token}"}
    # The check booking makes, with the patient's token it forwards.
    verdict = check(pair, weekday(10), patient)
    assert verdict.json() == {"bookable": True, "rule": "weekly_schedule", "reasons": []}

    booked = pair.book(weekday(10), patient)
    assert booked.status_code == 201, booked.text
    assert booked.json()["hours_decided_by"] == "schedules"
    # 14:00 is inside booking's default hours, but outside the practitioner's template.
    refused = pair.book(weekday(14), patient)
    assert refused.status_code == 422
    problem = refused.json()
    assert (problem["code"], problem["decided_by"]) == ("outside_working_hours", "schedules")
    assert "outside_weekly_schedule" in problem["detail"]
    # Staff may still book it, and it is flagged outside hours.
    flagged = pair.book(weekday(14), pair.admin, allow_outside_hours=True)
    assert flagged.status_code == 201, flagged.text
    assert flagged.json()["outside_hours"] is True
    assert flagged.json()["hours_decided_by"] == "schedules"

    # Every practitioner of an appointment must be working: a second one without a template
    # refuses 11:00, which the first one works; once the second works then too, it books.
    created = httpx.post(
        f"{pair.api}/practitioners",
        json={
            "display_name": "Dr. Ben",
            "status": "active",
            "location_ids": [pair.request["location_id"]],
        },
        headers=pair.admin,
    )
    assert created.status_code == 201, created.text
    second = str(created.json()["id"])
    wait_until_known(pair, second)
    both = [pair.request["practitioner_ids"][0], second]
    refused = pair.book(weekday(11), patient, practitioner_ids=both)
    assert refused.status_code == 422, refused.text
    assert "outside_weekly_schedule" in refused.json()["detail"]
    add_template(pair, second)
    together = pair.book(weekday(11), patient, practitioner_ids=both)
    assert together.status_code == 201, together.text


def test_when_schedules_is_unreachable_booking_uses_its_default_hours(
    launch_service: Any, kafka_bootstrap: str
) -> None:
    pair = launch_pair(launch_service, kafka_bootstrap)
    wait_until_known(pair)
    add_template(pair)
    assert check(pair, weekday(14), pair.admin).json()["bookable"] is False
    pair.schedules.stop()
    # Schedules would refuse 14:00, but cannot be asked: the default hours decide.
    booked = pair.book(weekday(14), pair.admin)
    assert booked.status_code == 201, booked.text
    assert booked.json()["hours_decided_by"] == "fallback_default_hours"
    early = pair.book(weekday(7), pair.admin)
    assert early.status_code == 422
    assert early.json()["decided_by"] == "fallback_default_hours"


def test_schedules_sees_the_trace_and_request_id_of_the_booking_request_that_asks_it(
    launch_service: Any, kafka_bootstrap: str
) -> None:
    pair = launch_pair(launch_service, kafka_bootstrap, log_format="json")
    wait_until_known(pair)
    trace_id = uuid4().hex
    caller = {"traceparent": f"00-{trace_id}-{uuid4().hex[:16]}-01", "X-Request-ID": "desk-42"}
    booked = pair.book(weekday(10), {**pair.admin, **caller})
    assert booked.status_code in (201, 422), booked.text  # either way schedules was asked
    assert booked.headers["X-Request-ID"] == "desk-42"
    lines = [json.loads(line) for line in pair.schedules.log().splitlines() if line.strip()]
    checks = [
        line
        for line in lines
        if line["logger"] == "uvicorn.access" and line["path"].endswith("/availability/check")
    ]
    mine = [line for line in checks if line.get("trace_id") == trace_id]
    assert mine, checks[-3:]
    assert {line["request_id"] for line in mine} == {"desk-42"}
