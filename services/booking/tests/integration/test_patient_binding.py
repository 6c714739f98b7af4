"""A patient, and an AI agent acting for one, hold and book only in that patient's name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
KAI = {"name": "Kai", "email": "kai@example.org", "preferred_channel": "email"}


@pytest.fixture
async def c(shared_booking: Any, clinic_opener: Callable[..., Any]) -> Any:
    """A clinic of its own tenant on the module's shared app."""
    return await clinic_opener(shared_booking, uuid4())


async def _post(c: Any, path: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await c.booking.client.post(f"{API}{path}", json=body, headers=headers)


def _without_patient(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "patient_id"}


async def test_a_patient_who_names_nobody_holds_and_books_for_themselves(c: Any) -> None:
    me = c.headers("patient", patient_id=c.patient_id)
    hold = await _post(c, "/holds", _without_patient(c.body(c.at(2, 10))), me)
    booked = await _post(c, "/appointments", _without_patient(c.body(c.at(2, 11))), me)
    assert (hold.status_code, booked.status_code) == (201, 201), booked.text
    assert hold.json()["patient_id"] == booked.json()["patient_id"] == c.patient_id


@pytest.mark.parametrize("path", ["/holds", "/appointments"])
async def test_a_patient_naming_another_patient_is_refused_and_nothing_is_written(
    c: Any, path: str
) -> None:
    other = await c.create("/patients", KAI)
    me = c.headers("patient", patient_id=c.patient_id)
    before = c.booking.written(c.tenant_id)
    refused = await _post(c, path, c.body(c.at(2, 10), patient_id=other), me)
    assert refused.status_code == 403
    assert (refused.json()["code"], refused.json()["field"]) == ("not_your_patient", "patient_id")
    assert c.booking.written(c.tenant_id) == before


async def test_a_patient_cannot_turn_their_hold_into_a_booking_for_someone_else(c: Any) -> None:
    other = await c.create("/patients", KAI)
    me = c.headers("patient", patient_id=c.patient_id)
    hold = (await _post(c, "/holds", c.body(c.at(2, 10)), me)).json()
    before = c.booking.written(c.tenant_id)
    refused = await _post(c, f"/holds/{hold['id']}/book", {"patient_id": other}, me)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_patient")
    assert c.booking.written(c.tenant_id) == before
    booked = await _post(c, f"/holds/{hold['id']}/book", {}, me)
    assert (booked.status_code, booked.json()["patient_id"]) == (201, c.patient_id)


async def test_a_patient_listing_another_patients_appointments_sees_none(c: Any) -> None:
    other = await c.create("/patients", KAI)
    staff = c.headers("receptionist")
    assert (
        await _post(c, "/appointments", c.body(c.at(3, 10), patient_id=other), staff)
    ).is_success
    listed = await c.booking.client.get(
        f"{API}/appointments",
        headers=c.headers("patient", patient_id=c.patient_id),
        params={"from": c.at(3, 0), "to": c.at(4, 0), "patient_id": other},
    )
    assert (listed.status_code, listed.json()["items"]) == (200, [])


async def test_an_agent_acting_for_a_patient_books_and_reads_only_for_that_patient(
    c: Any,
) -> None:
    other = await c.create("/patients", KAI)
    agent = c.headers("ai_agent", subject="agent-42", patient_id=c.patient_id)
    hold = await _post(c, "/holds", _without_patient(c.body(c.at(4, 10))), agent)
    assert (hold.status_code, hold.json()["patient_id"]) == (201, c.patient_id)
    booked = await _post(c, f"/holds/{hold.json()['id']}/book", {}, agent)
    assert (booked.status_code, booked.json()["patient_id"]) == (201, c.patient_id)
    for path in ("/holds", "/appointments"):
        refused = await _post(c, path, c.body(c.at(4, 12), patient_id=other), agent)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_your_patient")

    staff = c.headers("receptionist")
    theirs = (await _post(c, "/appointments", c.body(c.at(4, 14), patient_id=other), staff)).json()
    mine = (await _post(c, "/appointments", c.body(c.at(4, 15)), staff)).json()
    read = c.booking.client.get
    assert (await read(f"{API}/appointments/{mine['id']}", headers=agent)).status_code == 200
    assert (await read(f"{API}/appointments/{theirs['id']}", headers=agent)).status_code == 404
    cancel = await _post(c, f"/appointments/{booked.json()['id']}/cancel", {}, agent)
    assert cancel.status_code == 403  # agents hold and book; changes are the patient's or staff's


async def test_an_agent_naming_no_patient_may_hold_anonymously_but_never_book(c: Any) -> None:
    agent = c.headers("ai_agent", subject="agent-7")
    hold = await _post(c, "/holds", _without_patient(c.body(c.at(5, 10))), agent)
    assert (hold.status_code, hold.json()["patient_id"]) == (201, None)
    before = c.booking.written(c.tenant_id)
    attempts = [
        await _post(c, "/holds", c.body(c.at(5, 11)), agent),
        await _post(c, "/appointments", c.body(c.at(5, 12)), agent),
        await _post(c, "/appointments", _without_patient(c.body(c.at(5, 13))), agent),
        await _post(c, f"/holds/{hold.json()['id']}/book", {}, agent),
        await _post(c, f"/holds/{hold.json()['id']}/book", {"patient_id": c.patient_id}, agent),
    ]
    assert [(a.status_code, a.json()["code"]) for a in attempts] == [
        (403, "not_your_patient"),
        (403, "not_your_patient"),
        (403, "patient_claim_required"),
        (403, "patient_claim_required"),
        (403, "not_your_patient"),
    ]
    assert c.booking.written(c.tenant_id) == before
    # The patient signs in to the agent: its token now names them, and it books its hold.
    signed_in = c.headers("ai_agent", subject="agent-7", patient_id=c.patient_id)
    booked = await _post(c, f"/holds/{hold.json()['id']}/book", {}, signed_in)
    assert (booked.status_code, booked.json()["patient_id"]) == (201, c.patient_id)


async def test_an_agent_never_shows_one_patients_booking_to_another_or_to_no_one(c: Any) -> None:
    other = await c.create("/patients", KAI)
    for_mei = c.headers("ai_agent", subject="agent-9", patient_id=c.patient_id)
    booked = (await _post(c, "/appointments", c.body(c.at(5, 10)), for_mei)).json()
    for_kai = c.headers("ai_agent", subject="agent-9", patient_id=other)
    for_nobody = c.headers("ai_agent", subject="agent-9")
    for headers in (for_kai, for_nobody):
        read = await c.booking.client.get(f"{API}/appointments/{booked['id']}", headers=headers)
        assert read.status_code == 404
        listed = await c.booking.client.get(
            f"{API}/appointments", headers=headers, params={"from": c.at(5, 0), "to": c.at(6, 0)}
        )
        assert listed.json()["items"] == []


async def test_staff_booking_without_naming_a_patient_get_a_422_naming_the_field(c: Any) -> None:
    staff = c.headers("receptionist")
    refused = await _post(c, "/appointments", _without_patient(c.body(c.at(6, 10))), staff)
    assert refused.status_code == 422
    assert (refused.json()["code"], refused.json()["field"]) == ("patient_required", "patient_id")
