"""Appointment types, practitioners, rooms and equipment: policies and the rules between them."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def _create(booking: Any, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await booking.client.post(
        f"{API}{path}", json=body, headers=booking.headers("admin")
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _type(**fields: Any) -> dict[str, Any]:
    return {
        "slug": "first-visit",
        "name": "First visit",
        "duration_minutes": 45,
        "price": "1200.00",
        "currency": "TWD",
        **fields,
    }


@pytest.fixture
async def site(booking: Any) -> dict[str, Any]:
    return await _create(booking, "/locations", {"name": "Da'an", "timezone": "Asia/Taipei"})


async def test_an_appointment_type_round_trips_with_its_room_and_equipment(
    booking: Any, site: dict[str, Any]
) -> None:
    room = await _create(booking, "/rooms", {"location_id": site["id"], "name": "R1"})
    probe = await _create(booking, "/equipment", {"location_id": site["id"], "name": "Ultrasound"})
    body = _type(
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        min_notice_minutes=120,
        max_future_days=60,
        reschedule_limit=1,
        cancellation_notice_minutes=1440,
        default_room_id=room["id"],
        required_equipment_ids=[probe["id"]],
    )
    made = await _create(booking, "/appointment-types", body)
    assert {k: made[k] for k in body} == {**body, "price": "1200.0000"}
    assert made["consultation_mode"] == "in_person"
    assert made["active"] is True

    url = f"{API}/appointment-types/{made['id']}"
    changed = await booking.client.patch(
        url,
        json={"default_room_id": None, "required_equipment_ids": [], "active": False},
        headers=booking.headers("admin"),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["default_room_id"], changed.json()["required_equipment_ids"]) == (
        None,
        [],
    )
    read = await booking.client.get(url, headers=booking.headers("patient"))
    assert read.json() == changed.json()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"buffer_before_minutes": -5}, "body.buffer_before_minutes"),
        ({"currency": "usd"}, "body.currency"),
        ({"slug": "First Visit"}, "body.slug"),
        ({"duration_minutes": 0}, "body.duration_minutes"),
        ({"price": "-1"}, "body.price"),
        ({"consultation_mode": "telepathy"}, "body.consultation_mode"),
    ],
)
async def test_invalid_policies_are_problems_naming_the_field(
    booking: Any, fields: dict[str, Any], field: str
) -> None:
    response = await booking.client.post(
        f"{API}/appointment-types", json=_type(**fields), headers=booking.headers("admin")
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_a_taken_slug_is_a_conflict_naming_the_slug(booking: Any) -> None:
    await _create(booking, "/appointment-types", _type())
    again = await booking.client.post(
        f"{API}/appointment-types", json=_type(), headers=booking.headers("admin")
    )
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["field"]) == ("slug_taken", "slug")


async def test_racing_creations_of_one_slug_give_one_type_and_conflicts(booking: Any) -> None:
    admin = booking.headers("admin")

    async def attempt() -> int:
        body = _type(slug="race")
        response = await booking.client.post(f"{API}/appointment-types", json=body, headers=admin)
        return response.status_code

    statuses = sorted(await asyncio.gather(*(attempt() for _ in range(8))))
    assert statuses == [201] + [409] * 7


async def test_a_retired_type_gives_its_slug_back(booking: Any) -> None:
    first = await _create(booking, "/appointment-types", _type())
    admin = booking.headers("admin")
    await booking.client.delete(f"{API}/appointment-types/{first['id']}", headers=admin)
    second = await _create(booking, "/appointment-types", _type())
    assert second["id"] != first["id"]


async def test_an_in_person_type_refuses_a_virtual_room(booking: Any, site: dict[str, Any]) -> None:
    room = await _create(
        booking, "/rooms", {"location_id": site["id"], "name": "V", "virtual": True}
    )
    response = await booking.client.post(
        f"{API}/appointment-types",
        json=_type(default_room_id=room["id"]),
        headers=booking.headers("admin"),
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (
        "room_mode_mismatch",
        "default_room_id",
    )


async def test_a_room_of_another_tenant_is_unknown(booking: Any, site: dict[str, Any]) -> None:
    from uuid import uuid4

    room = await _create(booking, "/rooms", {"location_id": site["id"], "name": "R"})
    response = await booking.client.post(
        f"{API}/appointment-types",
        json=_type(default_room_id=room["id"]),
        headers=booking.headers("admin", tenant_id=uuid4()),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_room"


async def test_a_room_that_a_type_defaults_to_cannot_be_retired(
    booking: Any, site: dict[str, Any]
) -> None:
    room = await _create(booking, "/rooms", {"location_id": site["id"], "name": "R"})
    await _create(booking, "/appointment-types", _type(default_room_id=room["id"]))
    response = await booking.client.delete(
        f"{API}/rooms/{room['id']}", headers=booking.headers("admin")
    )
    assert response.status_code == 409
    assert response.json()["code"] == "room_in_use"


async def test_an_active_practitioner_must_serve_a_live_location(
    booking: Any, site: dict[str, Any]
) -> None:
    admin = booking.headers("admin")
    homeless = await booking.client.post(
        f"{API}/practitioners", json={"display_name": "Dr. Lin", "status": "active"}, headers=admin
    )
    assert (homeless.status_code, homeless.json()["code"]) == (422, "location_required")
    made = await _create(
        booking,
        "/practitioners",
        {"display_name": "Dr. Lin", "location_ids": [site["id"]], "specialties": ["physio"]},
    )
    assert made["status"] == "draft"
    url = f"{API}/practitioners/{made['id']}"
    active = await booking.client.patch(url, json={"status": "active"}, headers=admin)
    assert active.json()["status"] == "active"
    back = await booking.client.patch(url, json={"status": "draft"}, headers=admin)
    assert (back.status_code, back.json()["code"]) == (422, "status_transition")


async def test_practitioners_are_listed_by_the_location_they_serve(
    booking: Any, site: dict[str, Any]
) -> None:
    other = await _create(booking, "/locations", {"name": "B", "timezone": "Asia/Taipei"})
    here = await _create(
        booking, "/practitioners", {"display_name": "Here", "location_ids": [site["id"]]}
    )
    await _create(
        booking, "/practitioners", {"display_name": "There", "location_ids": [other["id"]]}
    )
    page = await booking.client.get(
        f"{API}/practitioners",
        params={"location_id": site["id"]},
        headers=booking.headers("receptionist"),
    )
    assert [p["id"] for p in page.json()["items"]] == [here["id"]]
