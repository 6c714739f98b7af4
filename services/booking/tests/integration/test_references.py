"""An id that names nothing of the caller's clinic is a 422 naming the field, never a 500.

Every route that refers to a patient, practitioner, room, equipment, appointment type or
location gets an unknown id and another tenant's id in each such field; the answer is a problem
naming the field, and nothing is written.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import psycopg
import pytest

import booking.service.catalog_view as catalog_view
from booking.store.integrity import INTERNAL, REFERENCES

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


@dataclass
class Clinics:
    mine: Any
    theirs: Any  # another tenant's clinic on the same database


@pytest.fixture(scope="module")
async def clinics(shared_booking: Any, clinic_opener: Callable[..., Any]) -> Clinics:
    mine = await clinic_opener(shared_booking, uuid4())
    theirs = await clinic_opener(shared_booking, uuid4())
    for clinic in (mine, theirs):
        clinic.equipment_id = await clinic.create(
            "/equipment", {"location_id": clinic.location_id, "name": "Laser"}
        )
    return Clinics(mine, theirs)


# field: the id of that kind in a clinic
IDS: dict[str, Callable[[Any], Any]] = {
    "patient_id": lambda c: c.patient_id,
    "appointment_type_id": lambda c: c.type_id,
    "location_id": lambda c: c.location_id,
    "practitioner_ids": lambda c: [c.practitioners[0]],
    "room_id": lambda c: c.room_id,
    "location_ids": lambda c: [c.location_id],
    "default_room_id": lambda c: c.room_id,
    "required_equipment_ids": lambda c: [c.equipment_id],
}


def _reserve(c: Any) -> dict[str, Any]:
    return c.body(c.at(3, 10))


def _series(c: Any) -> dict[str, Any]:
    return {**c.body(c.at(3, 11)), "rrule": "FREQ=WEEKLY;COUNT=2"}


def _type(c: Any) -> dict[str, Any]:
    return {
        "slug": f"t-{uuid4().hex[:8]}",
        "name": "Laser",
        "duration_minutes": 30,
        "price": "10",
        "currency": "TWD",
        "default_room_id": c.room_id,
        "required_equipment_ids": [c.equipment_id],
    }


HOLD_MINUTES = itertools.count(step=30)  # each hold its own time, so none is refused as taken
RESERVING = ("patient_id", "appointment_type_id", "location_id", "practitioner_ids", "room_id")
# (method, path, a valid body in my clinic, the fields that refer to other rows)
ROUTES: list[tuple[str, str, Callable[[Any], dict[str, Any]], tuple[str, ...]]] = [
    ("POST", "/appointments", _reserve, RESERVING),
    ("POST", "/holds", _reserve, RESERVING),
    ("POST", "/series", _series, RESERVING),
    ("POST", "/holds/{hold}/book", lambda c: {"patient_id": c.patient_id}, ("patient_id",)),
    ("POST", "/rooms", lambda c: {"location_id": c.location_id, "name": "R"}, ("location_id",)),
    ("PATCH", "/rooms/{room}", lambda c: {"location_id": c.location_id}, ("location_id",)),
    (
        "POST",
        "/equipment",
        lambda c: {"location_id": c.location_id, "name": "E"},
        ("location_id",),
    ),
    ("PATCH", "/equipment/{equipment}", lambda c: {"location_id": c.location_id}, ("location_id",)),
    (
        "POST",
        "/practitioners",
        lambda c: {"display_name": "Dr X", "location_ids": [c.location_id]},
        ("location_ids",),
    ),
    (
        "PATCH",
        "/practitioners/{practitioner}",
        lambda c: {"location_ids": [c.location_id]},
        ("location_ids",),
    ),
    ("POST", "/appointment-types", _type, ("default_room_id", "required_equipment_ids")),
    (
        "PATCH",
        "/appointment-types/{type}",
        lambda c: {"default_room_id": c.room_id, "required_equipment_ids": [c.equipment_id]},
        ("default_room_id", "required_equipment_ids"),
    ),
]
CASES = [
    pytest.param(method, path, body, field, whose, id=f"{method} {path} {field} {whose}")
    for method, path, body, fields in ROUTES
    for field in fields
    for whose in ("unknown", "another tenant's")
]


async def _path(c: Any, path: str) -> str:
    ids = {
        "room": c.room_id,
        "equipment": c.equipment_id,
        "practitioner": c.practitioners[1],
        "type": c.type_id,
    }
    if "{hold}" in path:
        minutes = next(HOLD_MINUTES)
        start = c.at(4 + minutes // 600, 9 + minutes % 600 // 60, minutes % 60)
        held = await c.booking.client.post(f"{API}/holds", json=c.body(start), headers=c.admin)
        assert held.status_code == 201, held.text
        ids["hold"] = held.json()["id"]
    return API + path.format(**ids)


def _referring_to(field: str, whose: str, clinics: Clinics) -> Any:
    if whose == "unknown":
        found = IDS[field](clinics.mine)
        return [str(uuid4())] if isinstance(found, list) else str(uuid4())
    return IDS[field](clinics.theirs)


@pytest.mark.parametrize(("method", "path", "body", "field", "whose"), CASES)
async def test_an_id_the_clinic_does_not_have_is_a_422_naming_the_field(
    clinics: Clinics,
    method: str,
    path: str,
    body: Callable[[Any], dict[str, Any]],
    field: str,
    whose: str,
) -> None:
    c = clinics.mine
    url = await _path(c, path)
    before = c.booking.written(c.tenant_id)
    sent = {**body(c), field: _referring_to(field, whose, clinics)}
    response = await c.booking.client.request(method, url, json=sent, headers=c.admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["field"] == field
    assert c.booking.written(c.tenant_id) == before


async def test_a_foreign_key_the_checks_missed_is_still_a_422_naming_the_field(
    clinics: Clinics, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last line of defence: were the up-front check gone, the database's composite key
    # still refuses the row, and the answer is the same problem, not a 500.
    async def nothing_checked(*_: object) -> None:
        return None

    monkeypatch.setattr(catalog_view, "ensure_patient", nothing_checked)
    c = clinics.mine
    before = c.booking.written(c.tenant_id)
    for patient in (str(uuid4()), clinics.theirs.patient_id):
        response = await c.booking.client.post(
            f"{API}/appointments", json=c.body(c.at(5, 10), patient_id=patient), headers=c.admin
        )
        assert response.status_code == 422, response.text
        assert (response.json()["code"], response.json()["field"]) == (
            "unknown_reference",
            "patient_id",
        )
    assert c.booking.written(c.tenant_id) == before


async def test_an_erased_patient_cannot_be_booked(clinics: Clinics) -> None:
    c = clinics.mine
    patient = await c.create("/patients", {"name": "Ann", "email": "ann@example.org"})
    erased = await c.booking.client.delete(f"{API}/patients/{patient}", headers=c.admin)
    assert erased.status_code == 204
    response = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(5, 12), patient_id=patient), headers=c.admin
    )
    assert (response.status_code, response.json()["field"]) == (422, "patient_id")


def test_every_foreign_key_is_mapped_to_a_request_field_or_known_internal(
    shared_booking: Any,
) -> None:
    with psycopg.connect(shared_booking.admin_url.replace("+psycopg", "")) as db:
        names = {
            row[0]
            for row in db.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f'"
                " AND connamespace = 'public'::regnamespace"
            )
        }
    assert names == set(REFERENCES) | INTERNAL
