"""Two bookings never overlap for one practitioner, room or device — the database decides."""

from __future__ import annotations

import asyncio
from collections import Counter

import psycopg
import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def test_fifty_concurrent_requests_for_one_slot_give_one_booking_and_49_conflicts(
    clinic: object,
) -> None:
    c = clinic  # type: ignore[assignment]
    staff = c.booking.headers("receptionist")
    body = c.body(c.at(2, 10))

    async def attempt() -> int:
        response = await c.booking.client.post(f"{API}/appointments", json=body, headers=staff)
        return response.status_code

    statuses = Counter(await asyncio.gather(*(attempt() for _ in range(50))))
    assert statuses == {201: 1, 409: 49}
    with psycopg.connect(c.booking.admin_url.replace("+psycopg", "")) as db:
        overlaps = db.execute(
            "SELECT count(*) FROM occupations a JOIN occupations b ON a.id < b.id "
            "AND a.resource_id = b.resource_id AND a.seat = b.seat AND a.period && b.period "
            "WHERE a.active AND b.active"
        ).fetchone()
    assert overlaps == (0,)


async def test_buffers_of_both_appointments_count_towards_a_conflict(clinic: object) -> None:
    c = clinic  # type: ignore[assignment]
    buffered = await c.new_type(buffer_before_minutes=5, buffer_after_minutes=10)
    staff = c.booking.headers("receptionist")
    first = await c.booking.client.post(
        f"{API}/appointments",
        json={**c.body(c.at(3, 10)), "appointment_type_id": buffered},
        headers=staff,
    )
    assert first.status_code == 201
    # 10:00-10:30 keeps 09:55-10:40; a 10:45 visit keeps 10:40-11:25 and fits exactly.
    clash = await c.booking.client.post(
        f"{API}/appointments",
        json={**c.body(c.at(3, 10, 40)), "appointment_type_id": buffered},
        headers=staff,
    )
    fits = await c.booking.client.post(
        f"{API}/appointments",
        json={**c.body(c.at(3, 10, 45)), "appointment_type_id": buffered},
        headers=staff,
    )
    assert clash.status_code == 409
    problem = clash.json()
    assert problem["code"] == "slot_taken"
    assert problem["resource_kind"] == "practitioner"
    assert clash.headers["content-type"].startswith("application/problem+json")
    assert fits.status_code == 201


async def test_a_room_of_capacity_two_takes_two_and_refuses_the_third(clinic: object) -> None:
    c = clinic  # type: ignore[assignment]
    room = await c.create("/rooms", {"location_id": c.location_id, "name": "Gym", "capacity": 2})
    staff = c.booking.headers("receptionist")
    answers = []
    for practitioner in range(3):
        response = await c.booking.client.post(
            f"{API}/appointments",
            json=c.body(c.at(4, 15), practitioner, room_id=room),
            headers=staff,
        )
        answers.append(response)
    assert [a.status_code for a in answers] == [201, 201, 409]
    assert answers[2].json()["resource_kind"] == "room"


async def test_an_expired_hold_blocks_nothing_even_before_the_sweeper_runs(
    clinic: object,
) -> None:
    c = clinic  # type: ignore[assignment]
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    hold = await c.booking.client.post(f"{API}/holds", json=c.body(c.at(5, 11)), headers=patient)
    assert hold.status_code == 201
    assert hold.json()["status"] == "held"
    staff = c.booking.headers("receptionist")
    blocked = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(5, 11)), headers=staff
    )
    assert blocked.status_code == 409
    # Let the hold lapse (as ten minutes would) without any sweeper running.
    with psycopg.connect(c.booking.admin_url.replace("+psycopg", "")) as db:
        db.execute(
            "UPDATE occupations SET expires_at = now() - interval '1 second' "
            "WHERE appointment_id = %s",
            (hold.json()["id"],),
        )
        db.execute(
            "UPDATE appointments SET expires_at = now() - interval '1 second' WHERE id = %s",
            (hold.json()["id"],),
        )
    booked = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(5, 11)), headers=staff
    )
    assert booked.status_code == 201
    late = await c.booking.client.post(
        f"{API}/holds/{hold.json()['id']}/book", json={}, headers=patient
    )
    assert late.status_code == 409
    assert late.json()["code"] == "hold_expired"


async def test_a_live_hold_converts_into_a_pending_booking(clinic: object) -> None:
    c = clinic  # type: ignore[assignment]
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    hold = (
        await c.booking.client.post(f"{API}/holds", json=c.body(c.at(6, 9)), headers=patient)
    ).json()
    booked = await c.booking.client.post(f"{API}/holds/{hold['id']}/book", json={}, headers=patient)
    assert booked.status_code == 201
    assert booked.json()["status"] == "pending"
    assert booked.json()["expires_at"] is None
