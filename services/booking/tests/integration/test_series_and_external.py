"""Recurring series book all-or-nothing; a deletion in the practitioner's calendar cancels."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer

from clinic_contracts import AppointmentDeletedExternally
from clinic_contracts.codec import encode

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def test_a_weekly_series_books_every_occurrence(clinic: Any) -> None:
    c = clinic
    manager = c.booking.headers("clinic_manager")
    answer = await c.booking.client.post(
        f"{API}/series",
        headers=manager,
        json={**c.body(c.at(7, 10)), "rrule": "FREQ=WEEKLY;COUNT=4"},
    )
    assert answer.status_code == 201, answer.text
    series = answer.json()
    assert series["skipped"] == []
    # Four occurrences, a week apart, each at the first one's local wall time.
    expected = [datetime.fromisoformat(c.at(7 + 7 * week, 10)) for week in range(4)]
    booked = series["booked"]
    assert [datetime.fromisoformat(a["start_at"]) for a in booked] == expected
    assert {a["series_id"] for a in booked} == {series["series_id"]}
    assert {a["status"] for a in booked} == {"pending"}
    assert len({a["id"] for a in booked}) == 4
    # They are really there: the practitioner's list shows exactly these four.
    listed = await c.booking.client.get(
        f"{API}/appointments",
        headers=manager,
        params={"from": c.at(6, 0), "to": c.at(40, 0), "practitioner_id": c.practitioners[0]},
    )
    assert listed.status_code == 200, listed.text
    assert sorted(a["id"] for a in listed.json()["items"]) == sorted(a["id"] for a in booked)


async def test_a_conflicting_occurrence_books_nothing_unless_skipping_is_asked(
    clinic: Any,
) -> None:
    c = clinic
    manager = c.booking.headers("clinic_manager")
    blocker = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(14, 10)), headers=manager
    )
    assert blocker.status_code == 201
    series = {**c.body(c.at(7, 10)), "rrule": "FREQ=WEEKLY;COUNT=3"}
    refused = await c.booking.client.post(f"{API}/series", json=series, headers=manager)
    assert refused.status_code == 409
    assert [(x["index"], x["code"]) for x in refused.json()["conflicts"]] == [(1, "slot_taken")]
    listed = await c.booking.client.get(
        f"{API}/appointments",
        headers=manager,
        params={"from": c.at(6, 0), "to": c.at(30, 0), "practitioner_id": c.practitioners[0]},
    )
    assert [a["id"] for a in listed.json()["items"]] == [blocker.json()["id"]]

    skipping = await c.booking.client.post(
        f"{API}/series", json={**series, "skip_conflicts": True}, headers=manager
    )
    assert skipping.status_code == 201
    assert len(skipping.json()["booked"]) == 2
    assert [x["index"] for x in skipping.json()["skipped"]] == [1]

    series_id = skipping.json()["series_id"]
    last = skipping.json()["booked"][1]["id"]
    following = await c.booking.client.post(
        f"{API}/series/{series_id}/cancel",
        headers=manager,
        json={"scope": "following", "from_appointment_id": last, "reason": "course ended"},
    )
    assert [a["id"] for a in following.json()] == [last]
    rest = await c.booking.client.post(
        f"{API}/series/{series_id}/cancel", headers=manager, json={"scope": "all"}
    )
    assert [a["status"] for a in rest.json()] == ["cancelled"]


async def test_an_appointment_deleted_in_the_practitioners_calendar_is_cancelled_by_the_clinic(
    clinic: Any,
    kafka_bootstrap: str,
) -> None:
    c = clinic
    staff = c.booking.headers("receptionist")
    appointment = (
        await c.booking.client.post(f"{API}/appointments", json=c.body(c.at(3, 15)), headers=staff)
    ).json()
    deleted = AppointmentDeletedExternally(
        appointment_id=UUID(appointment["id"]),
        practitioner_id=UUID(c.practitioners[0]),
        connection_id=uuid4(),
        external_event_id=f"google-{uuid4().hex[:6]}",
        detected_at=datetime.now(UTC),
    )
    message = encode(
        deleted,
        source="/clinic/calendar-sync",
        tenantid=c.booking.tenant_id,
        time=datetime.now(UTC),
    )
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        for _ in range(2):  # delivered twice: applied once
            await producer.send_and_wait(
                message.topic, message.value, key=message.key, headers=message.headers
            )
    finally:
        await producer.stop()
    path = f"{API}/appointments/{appointment['id']}"
    for _ in range(300):
        current = (await c.booking.client.get(path, headers=staff)).json()
        if current["status"] == "cancelled":
            break
        await asyncio.sleep(0.1)
    assert current["status"] == "cancelled"
    assert current["cancelled_by"] == "clinic"
    assert current["reason"] == "deleted in the practitioner's external calendar"
    trail = (await c.booking.client.get(f"{path}/audit", headers=c.admin)).json()
    assert [e["action"] for e in trail] == ["booked", "cancelled"]
