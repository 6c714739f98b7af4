"""The demo clinic seeded through the real booking and schedules services (own processes, real
PostgreSQL and Kafka), twice: the second run creates nothing, and Dr. Chen's slots are her
weekly hours less the blocked Monday evening."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_demo import DEMO, DemoIds, Endpoints, demo_token, development_settings, seed
from clinic_platform.provisioning import plan_topics, provision
from clinic_testkit.topic_reader import skip_group_to_end

pytestmark = pytest.mark.integration


def quarter_hours(start: str, end: str) -> list[str]:
    at, last = datetime.strptime(start, "%H:%M"), datetime.strptime(end, "%H:%M")
    times = []
    while at < last:
        times.append(at.strftime("%H:%M"))
        at += timedelta(minutes=15)
    return times


def next_weekday(weekday: int, at_least_days: int) -> date:
    """A date of that weekday (Monday = 0) far enough ahead that no demo booking is on it."""
    day = datetime.now(ZoneInfo(DEMO.location.timezone)).date() + timedelta(days=at_least_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def local_starts(endpoints: Endpoints, ids: DemoIds, token: str, day: date) -> list[str]:
    answer = httpx.get(
        f"{endpoints.schedules}/practitioners/{ids.practitioners['chen']}/availability/slots",
        params={"date": day.isoformat(), "appointment_type_id": str(ids.types["follow-up"])},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    return [slot["local_start"][11:16] for slot in answer.json()["slots"]]


def appointments(endpoints: Endpoints, token: str) -> list[dict[str, Any]]:
    now = datetime.now(ZoneInfo("UTC"))
    answer = httpx.get(
        f"{endpoints.booking}/appointments",
        params={"from": now.isoformat(), "to": (now + timedelta(days=60)).isoformat()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def test_seeding_twice_creates_the_demo_clinic_once_and_dr_chen_has_her_slots(
    launch_service: Any, kafka_bootstrap: str
) -> None:
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    for topic in CONSUMER_GROUPS["schedules"]:  # skip what earlier tests left on the topics
        asyncio.run(skip_group_to_end(kafka_bootstrap, "schedules", topic))
    schedules = launch_service("schedules")
    booking = launch_service("booking", schedules_url=schedules.base_url)
    endpoints = Endpoints.direct(booking.base_url, schedules.base_url)
    clinic = dataclasses.replace(DEMO, tenant_id=uuid4())  # random: never collides
    lines: list[str] = []

    ids, first = seed(endpoints, clinic, echo=lines.append)
    again, second = seed(endpoints, clinic, echo=lines.append)

    assert len(first.created) == 15
    assert first.changed == []
    assert second.created == []
    assert second.changed == []
    assert len(second.kept) == len(first.created)
    assert again == ids
    assert lines[-1].startswith("demo clinic already seeded: nothing to do")
    desk = demo_token(clinic, "receptionist", development_settings())
    booked = appointments(endpoints, desk)
    assert len(booked) == len(clinic.bookings) == 3
    assert {a["patient_id"] for a in booked} == {str(p) for p in ids.patients.values()}

    patient = demo_token(clinic, "patient", development_settings(), ids)
    monday, tuesday = next_weekday(0, 8), next_weekday(1, 8)
    # Monday 16:00-18:00 is blocked every week; Tuesday has her whole day; Saturday nothing.
    assert local_starts(endpoints, ids, patient, monday) == quarter_hours(
        "09:00", "12:00"
    ) + quarter_hours("14:00", "16:00")
    assert local_starts(endpoints, ids, patient, tuesday) == quarter_hours(
        "09:00", "12:00"
    ) + quarter_hours("14:00", "18:00")
    assert local_starts(endpoints, ids, patient, next_weekday(5, 8)) == []
