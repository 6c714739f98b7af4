"""Booking keeps working when Kafka or the schedules service is away."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clinic_contracts import AppointmentBooked, AppointmentFlaggedOutsideHours
from clinic_testkit import free_ports
from clinic_testkit.topic_reader import TopicReader

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
TOPIC = AppointmentBooked.topic


def of_type(event_type: str, appointment_id: str) -> Any:
    return lambda m: (
        m.headers.get("ce_type") == event_type
        and json.loads(m.value).get("appointment_id") == appointment_id
    )


async def test_a_booking_made_while_kafka_is_down_succeeds_and_its_event_arrives_later(
    clinic: Any,
    kafka_broker: Any,
    kafka_bootstrap: str,
) -> None:
    c = clinic
    reader = await TopicReader(kafka_bootstrap, TOPIC).mark()
    with kafka_broker.stopped():
        response = await c.booking.client.post(
            f"{API}/appointments",
            json=c.body(c.at(2, 10)),
            headers=c.booking.headers("receptionist"),
        )
        assert response.status_code == 201
    appointment_id = response.json()["id"]
    found = await reader.read(
        lambda m: len(m) >= 1,
        timeout_s=60,
        accept=of_type(AppointmentBooked.event_type, appointment_id),
    )
    assert len(found) == 1
    assert found[0].key == c.practitioners[0]
    assert "patient_id" in json.loads(found[0].value)
    assert "email" not in found[0].value.decode()  # no PII on the appointments topic


@pytest.mark.booking_settings(
    schedules_url=f"http://127.0.0.1:{free_ports(1)[0]}", schedules_timeout_s=0.2
)
async def test_with_schedules_unreachable_the_default_hours_decide(
    clinic: Any,
    kafka_bootstrap: str,
) -> None:
    c = clinic
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    early = await c.booking.client.post(f"{API}/holds", json=c.body(c.at(2, 7)), headers=patient)
    assert early.status_code == 422
    assert (early.json()["code"], early.json()["decided_by"]) == (
        "outside_working_hours",
        "fallback_default_hours",
    )
    inside = await c.booking.client.post(f"{API}/holds", json=c.body(c.at(2, 10)), headers=patient)
    assert inside.status_code == 201

    reader = await TopicReader(kafka_bootstrap, TOPIC).mark()
    staff = await c.booking.client.post(
        f"{API}/appointments",
        json=c.body(c.at(2, 7), allow_outside_hours=True),
        headers=c.booking.headers("receptionist"),
    )
    assert staff.status_code == 201
    assert staff.json()["outside_hours"] is True
    assert staff.json()["hours_decided_by"] == "fallback_default_hours"
    assert inside.json()["hours_decided_by"] == "fallback_default_hours"
    assert inside.json()["outside_hours"] is False
    flagged = await reader.read(
        lambda m: len(m) >= 1,
        timeout_s=30,
        accept=of_type(AppointmentFlaggedOutsideHours.event_type, staff.json()["id"]),
    )
    assert json.loads(flagged[0].value)["decided_by"] == "fallback_default_hours"
