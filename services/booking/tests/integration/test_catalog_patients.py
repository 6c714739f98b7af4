"""Patients: own-record access, PII kept out of the audit log, and erasure that is published."""

from __future__ import annotations

import json
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from clinic_contracts.events.patients import TOPIC, PatientErased, PatientUpserted
from clinic_testkit.topic_reader import Message, TopicReader

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
MEI = {
    "name": "Chen Mei-Ling",
    "email": "meiling@example.org",
    "phone": "+886912345678",
    "preferred_language": "zh-Hant",
    "preferred_channel": "sms",
    "timezone": "Asia/Taipei",
}


async def _patient(booking: Any, **fields: Any) -> dict[str, Any]:
    response = await booking.client.post(
        f"{API}/patients", json={**MEI, **fields}, headers=booking.headers("receptionist")
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _rows(booking: Any, query: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(booking.admin_url.replace("+psycopg", "")) as db:
        return db.execute(query, params).fetchall()


async def test_a_patient_reads_and_changes_their_own_record(booking: Any) -> None:
    mei = await _patient(booking)
    own = booking.headers("patient", patient_id=mei["id"])
    url = f"{API}/patients/{mei['id']}"
    assert (await booking.client.get(url, headers=own)).json() == mei
    changed = await booking.client.patch(url, json={"preferred_language": "en"}, headers=own)
    assert changed.status_code == 200, changed.text
    assert changed.json()["preferred_language"] == "en"


async def test_a_patient_gets_not_found_for_someone_elses_record(booking: Any) -> None:
    mei = await _patient(booking)
    other = booking.headers("patient", patient_id=uuid4())
    url = f"{API}/patients/{mei['id']}"
    read = await booking.client.get(url, headers=other)
    change = await booking.client.patch(url, json={"name": "X"}, headers=other)
    assert (read.status_code, change.status_code) == (404, 404)
    listing = await booking.client.get(f"{API}/patients", headers=other)
    assert listing.status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", ""), ("POST", ""), ("GET", "/{id}"), ("PATCH", "/{id}"), ("DELETE", "/{id}")],
)
async def test_an_ai_agent_may_not_touch_patients(booking: Any, method: str, path: str) -> None:
    mei = await _patient(booking)
    body = MEI if method in ("POST", "PATCH") else None
    response = await booking.client.request(
        method,
        f"{API}/patients{path.format(id=mei['id'])}",
        json=body,
        headers=booking.headers("ai_agent"),
    )
    assert response.status_code == 403


async def test_the_preferred_channel_needs_its_contact_detail(booking: Any) -> None:
    response = await booking.client.post(
        f"{API}/patients",
        json={**MEI, "preferred_channel": "line"},
        headers=booking.headers("receptionist"),
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "channel_contact_missing",
        "preferred_channel",
    )


async def test_a_bad_phone_number_is_a_problem_naming_the_field(booking: Any) -> None:
    response = await booking.client.post(
        f"{API}/patients", json={**MEI, "phone": "0912-345"}, headers=booking.headers("admin")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.phone"]


async def test_the_audit_log_records_patient_changes_without_personal_data(booking: Any) -> None:
    mei = await _patient(booking)
    await booking.client.patch(
        f"{API}/patients/{mei['id']}",
        json={"email": "new@example.org"},
        headers=booking.headers("receptionist", subject="desk-7"),
    )
    rows = _rows(
        booking,
        "SELECT action, actor_subject, before, after FROM audit_log"
        " WHERE entity_id = %s ORDER BY id",
        mei["id"],
    )
    assert [r[0] for r in rows] == ["created", "updated"]
    assert rows[1][1] == "desk-7"
    assert rows[1][3]["changed_fields"] == ["email"]
    logged = json.dumps([r[2:] for r in rows])
    for secret in ("Mei-Ling", "meiling@", "new@example", "+886912345678"):
        assert secret not in logged


def _for(booking: Any, patient_id: str) -> Any:
    def accept(message: Message) -> bool:
        return (
            message.headers.get("ce_tenantid") == str(booking.tenant_id)
            and message.key == patient_id
        )

    return accept


async def test_erasure_scrubs_the_pii_and_publishes_patient_erased(
    booking: Any, kafka_bootstrap: str
) -> None:
    reader = await TopicReader(kafka_bootstrap, TOPIC).mark()
    mei = await _patient(booking)
    url = f"{API}/patients/{mei['id']}"
    forbidden = await booking.client.delete(url, headers=booking.headers("clinic_manager"))
    assert forbidden.status_code == 403
    assert (await booking.client.delete(url, headers=booking.headers("admin"))).status_code == 204

    messages = await reader.read(
        lambda found: any(m.headers["ce_type"] == PatientErased.event_type for m in found),
        accept=_for(booking, mei["id"]),
    )
    erased = [m for m in messages if m.headers["ce_type"] == PatientErased.event_type]
    assert len(erased) == 1
    assert json.loads(erased[0].value)["patient_id"] == mei["id"]
    assert erased[0].headers["ce_subject"] == f"patients/{mei['id']}"

    row = _rows(
        booking,
        "SELECT name, email, phone, line_user_id, erased_at FROM patients WHERE id = %s",
        mei["id"],
    )
    assert row[0][:4] == (None, None, None, None)
    assert row[0][4] is not None
    leftovers = _rows(
        booking,
        "SELECT count(*) FROM clinic_outbox WHERE message_key = %s AND event_type = %s",
        mei["id"],
        PatientUpserted.event_type,
    )
    assert leftovers == [(0,)]
    gone = await booking.client.get(url, headers=booking.headers("admin"))
    assert gone.status_code == 404
