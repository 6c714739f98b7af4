"""Each policy violation and illegal transition answers with its own problem document."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def booked(c: Any, start: str, headers: dict[str, str], **extra: Any) -> dict[str, Any]:
    response = await c.booking.client.post(
        f"{API}/appointments", json=c.body(start, **extra), headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_min_notice_and_horizon_are_422s_naming_the_rule_and_staff_may_override(
    clinic: Any,
) -> None:
    c = clinic
    strict = await c.new_type(min_notice_minutes=48 * 60, max_future_days=3)
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    for start, rule in ((c.at(1, 10), "min_notice"), (c.at(5, 10), "max_future_days")):
        refused = await c.booking.client.post(
            f"{API}/holds", json={**c.body(start), "appointment_type_id": strict}, headers=patient
        )
        assert refused.status_code == 422
        assert (refused.json()["code"], refused.json()["field"]) == (rule, "start_at")
    manager = c.booking.headers("clinic_manager")
    overridden = await c.booking.client.post(
        f"{API}/appointments",
        headers=manager,
        json={**c.body(c.at(1, 10)), "appointment_type_id": strict, "override_policies": True},
    )
    assert overridden.status_code == 201
    trail = await c.booking.client.get(
        f"{API}/appointments/{overridden.json()['id']}/audit", headers=c.admin
    )
    assert "policies overridden by staff" in trail.json()[0]["reason"]
    not_allowed = await c.booking.client.post(
        f"{API}/holds",
        headers=patient,
        json={**c.body(c.at(1, 11)), "appointment_type_id": strict, "override_policies": True},
    )
    assert not_allowed.status_code == 403


async def test_the_state_machine_runs_and_an_illegal_step_is_a_409(clinic: Any) -> None:
    c = clinic
    staff = c.booking.headers("receptionist")
    appointment = await booked(c, c.at(2, 14), staff, override_policies=False)
    path = f"{API}/appointments/{appointment['id']}"
    early = await c.booking.client.post(f"{path}/complete", headers=staff)
    assert (early.status_code, early.json()["code"]) == (409, "illegal_transition")
    confirmed = await c.booking.client.post(f"{path}/confirm", headers=staff)
    assert confirmed.json()["status"] == "confirmed"
    not_started = await c.booking.client.post(f"{path}/no-show", headers=staff)
    assert (not_started.status_code, not_started.json()["code"]) == (422, "appointment_not_started")
    cancelled = await c.booking.client.post(
        f"{path}/cancel", headers=staff, json={"reason": "clinic closed"}
    )
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "clinic"
    again = await c.booking.client.post(f"{path}/confirm", headers=staff)
    assert again.status_code == 409
    # The freed time can be booked again.
    await booked(c, c.at(2, 14), staff)


async def test_reschedule_moves_atomically_and_stops_at_the_limit(clinic: Any) -> None:
    c = clinic
    once = await c.new_type(reschedule_limit=1)
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    staff = c.booking.headers("receptionist")
    appointment = await booked(c, c.at(3, 9), staff, appointment_type_id=once)
    other = await booked(c, c.at(3, 11), staff)
    path = f"{API}/appointments/{appointment['id']}/reschedule"
    onto_other = await c.booking.client.post(
        path, json={"start_at": other["start_at"]}, headers=patient
    )
    assert onto_other.status_code == 409  # and the original time is still held:
    assert (
        await c.booking.client.post(f"{API}/appointments", json=c.body(c.at(3, 9)), headers=staff)
    ).status_code == 409
    moved = await c.booking.client.post(path, json={"start_at": c.at(3, 10)}, headers=patient)
    assert moved.status_code == 200, moved.text
    assert moved.json()["reschedule_count"] == 1
    limit = await c.booking.client.post(path, json={"start_at": c.at(3, 13)}, headers=patient)
    assert (limit.status_code, limit.json()["code"]) == (422, "reschedule_limit")
    freed = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(3, 9)), headers=staff
    )
    assert freed.status_code == 201  # the move gave 09:00 back


async def test_a_patient_cannot_cancel_inside_the_cancellation_notice_but_staff_can(
    clinic: Any,
) -> None:
    c = clinic
    notice = await c.new_type(cancellation_notice_minutes=7 * 24 * 60)
    staff = c.booking.headers("receptionist")
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    appointment = await booked(c, c.at(2, 16), staff, appointment_type_id=notice)
    path = f"{API}/appointments/{appointment['id']}/cancel"
    refused = await c.booking.client.post(path, json={"reason": "busy"}, headers=patient)
    assert (refused.status_code, refused.json()["code"]) == (422, "cancellation_notice")
    done = await c.booking.client.post(path, json={"reason": "patient called"}, headers=staff)
    assert done.json()["status"] == "cancelled"


async def test_every_change_is_in_the_appointments_audit_log(clinic: Any) -> None:
    c = clinic
    staff = c.booking.headers("receptionist", subject="desk-7")
    appointment = await booked(c, c.at(4, 10), staff)
    path = f"{API}/appointments/{appointment['id']}"
    await c.booking.client.post(f"{path}/confirm", headers=staff)
    await c.booking.client.post(f"{path}/cancel", json={"reason": "flu"}, headers=staff)
    trail = await c.booking.client.get(f"{path}/audit", headers=c.admin)
    assert [e["action"] for e in trail.json()] == ["booked", "confirm", "cancel"]
    assert trail.json()[2]["reason"] == "flu"
    assert trail.json()[2]["before"]["status"] == "confirmed"
    assert trail.json()[2]["after"]["status"] == "cancelled"
    assert {e["actor_subject"] for e in trail.json()} == {"desk-7"}
