"""Retried requests book once; each caller sees and changes only what is theirs."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def test_a_retried_idempotency_key_books_once_and_answers_the_same(clinic: Any) -> None:
    c = clinic
    staff = {**c.booking.headers("receptionist", subject="desk-1"), "Idempotency-Key": "k-1"}
    body = c.body(c.at(2, 10))
    answers = await asyncio.gather(
        *(c.booking.client.post(f"{API}/appointments", json=body, headers=staff) for _ in range(5))
    )
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 4
    listed = await c.booking.client.get(
        f"{API}/appointments",
        headers=staff,
        params={"from": c.at(2, 0), "to": c.at(3, 0), "practitioner_id": c.practitioners[0]},
    )
    assert len(listed.json()["items"]) == 1
    reused = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(2, 12)), headers=staff
    )
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")


async def test_patients_see_and_change_only_their_own_appointments(clinic: Any) -> None:
    c = clinic
    other_patient = await c.create(
        "/patients",
        {
            "name": "Kai",
            "email": "kai@example.org",
            "preferred_language": "en",
            "preferred_channel": "email",
        },
    )
    staff = c.booking.headers("receptionist")
    mine = (
        await c.booking.client.post(f"{API}/appointments", json=c.body(c.at(3, 10)), headers=staff)
    ).json()
    theirs = (
        await c.booking.client.post(
            f"{API}/appointments", json=c.body(c.at(3, 11), patient_id=other_patient), headers=staff
        )
    ).json()
    me = c.booking.headers("patient", patient_id=c.patient_id)
    assert (
        await c.booking.client.get(f"{API}/appointments/{mine['id']}", headers=me)
    ).status_code == 200
    assert (
        await c.booking.client.get(f"{API}/appointments/{theirs['id']}", headers=me)
    ).status_code == 404
    assert (
        await c.booking.client.post(
            f"{API}/appointments/{theirs['id']}/cancel", json={}, headers=me
        )
    ).status_code == 404
    listed = await c.booking.client.get(
        f"{API}/appointments", headers=me, params={"from": c.at(3, 0), "to": c.at(4, 0)}
    )
    assert [a["id"] for a in listed.json()["items"]] == [mine["id"]]


async def test_an_ai_agent_may_hold_book_and_read_its_own_bookings_and_nothing_else(
    clinic: Any,
) -> None:
    c = clinic
    # The agent's token names the patient it acts for (see test_patient_binding.py).
    agent = c.booking.headers("ai_agent", subject="agent-42", patient_id=c.patient_id)
    hold = await c.booking.client.post(f"{API}/holds", json=c.body(c.at(4, 10)), headers=agent)
    assert hold.status_code == 201
    booked = await c.booking.client.post(
        f"{API}/holds/{hold.json()['id']}/book", json={}, headers=agent
    )
    assert booked.status_code == 201
    assert (
        await c.booking.client.get(f"{API}/appointments/{booked.json()['id']}", headers=agent)
    ).status_code == 200
    cancel = await c.booking.client.post(
        f"{API}/appointments/{booked.json()['id']}/cancel", json={}, headers=agent
    )
    assert cancel.status_code == 403
    assert (
        await c.booking.client.post(
            f"{API}/locations", json={"name": "x", "timezone": "UTC"}, headers=agent
        )
    ).status_code == 403


async def test_another_tenant_cannot_see_or_book_against_this_tenants_catalog(
    clinic: Any,
) -> None:
    c = clinic
    staff = c.booking.headers("receptionist")
    appointment = (
        await c.booking.client.post(f"{API}/appointments", json=c.body(c.at(5, 10)), headers=staff)
    ).json()
    intruder = c.booking.headers("admin", tenant_id=uuid4())
    assert (
        await c.booking.client.get(f"{API}/appointments/{appointment['id']}", headers=intruder)
    ).status_code == 404
    refused = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(5, 12)), headers=intruder
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "appointment_type_id"


async def test_the_database_refuses_an_appointment_pointing_at_another_tenants_catalog(
    clinic: Any,
) -> None:
    import psycopg

    c = clinic
    intruder = uuid4()
    with psycopg.connect(c.booking.database_url.replace("+psycopg", "")) as db:
        db.execute("SELECT set_config('app.tenant_id', %s, false)", (str(intruder),))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            db.execute(
                "INSERT INTO appointments (id, tenant_id, status, appointment_type_id, "
                "location_id, practitioner_ids, start_at, end_at, buffer_before_minutes, "
                "buffer_after_minutes, created_by) VALUES (%s, %s, 'pending', %s, %s, %s, "
                "now() + interval '1 day', now() + interval '25 hours', 0, 0, 'x')",
                (uuid4(), intruder, c.type_id, c.location_id, [c.practitioners[0]]),
            )


async def test_a_practitioner_sees_their_own_schedule_and_not_a_colleagues(clinic: Any) -> None:
    c = clinic
    staff = c.booking.headers("receptionist")
    mine = (
        await c.booking.client.post(
            f"{API}/appointments", json=c.body(c.at(6, 10), 0), headers=staff
        )
    ).json()
    theirs = (
        await c.booking.client.post(
            f"{API}/appointments", json=c.body(c.at(6, 10), 1), headers=staff
        )
    ).json()
    me = c.booking.headers("practitioner", practitioner_id=c.practitioners[0])
    listed = await c.booking.client.get(
        f"{API}/appointments", headers=me, params={"from": c.at(6, 0), "to": c.at(7, 0)}
    )
    assert [a["id"] for a in listed.json()["items"]] == [mine["id"]]
    assert (
        await c.booking.client.get(f"{API}/appointments/{theirs['id']}", headers=me)
    ).status_code == 404
