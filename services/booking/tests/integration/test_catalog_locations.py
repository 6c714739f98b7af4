"""Locations over HTTP: round trips, validation problems, tenancy, permissions, paging."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

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


async def test_a_location_is_created_read_updated_and_retired(booking: Any) -> None:
    admin = booking.headers("admin")
    made = await _create(booking, "/locations", {"name": " Da'an ", "timezone": "Asia/Taipei"})
    assert made["name"] == "Da'an"
    assert made["address"] == ""
    assert made["active"] is True
    assert made["retired_at"] is None

    url = f"{API}/locations/{made['id']}"
    changed = await booking.client.patch(url, json={"address": "1 Fuxing S Rd"}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["address"] == "1 Fuxing S Rd"
    assert changed.json()["timezone"] == "Asia/Taipei"

    reader = booking.headers("receptionist")
    assert (await booking.client.get(url, headers=reader)).json() == changed.json()

    assert (await booking.client.delete(url, headers=admin)).status_code == 204
    retired = (await booking.client.get(url, headers=reader)).json()
    assert retired["retired_at"] is not None
    refused = await booking.client.patch(url, json={"name": "New"}, headers=admin)
    assert refused.status_code == 409
    assert refused.json()["code"] == "retired"


async def test_a_bad_timezone_is_a_problem_naming_the_field(booking: Any) -> None:
    response = await booking.client.post(
        f"{API}/locations",
        json={"name": "X", "timezone": "Mars/Olympus"},
        headers=booking.headers("admin"),
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert [e["field"] for e in problem["errors"]] == ["body.timezone"]


async def test_setting_a_required_field_to_null_is_refused_by_name(booking: Any) -> None:
    made = await _create(booking, "/locations", {"name": "A", "timezone": "Europe/Zurich"})
    response = await booking.client.patch(
        f"{API}/locations/{made['id']}", json={"name": None}, headers=booking.headers("admin")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "body.name",
        "rule": "not_nullable",
        "message": "may be left out, but not set to null",
    }


async def test_unknown_fields_are_refused_rather_than_ignored(booking: Any) -> None:
    response = await booking.client.post(
        f"{API}/locations",
        json={"name": "A", "timezone": "Europe/Zurich", "time_zone": "Asia/Tokyo"},
        headers=booking.headers("admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body.time_zone"


async def test_another_tenant_can_neither_see_nor_change_a_location(booking: Any) -> None:
    made = await _create(booking, "/locations", {"name": "Mine", "timezone": "Asia/Taipei"})
    url = f"{API}/locations/{made['id']}"
    other = uuid4()
    read = await booking.client.get(url, headers=booking.headers("admin", tenant_id=other))
    change = await booking.client.patch(
        url, json={"name": "Theirs"}, headers=booking.headers("admin", tenant_id=other)
    )
    listed = await booking.client.get(
        f"{API}/locations", headers=booking.headers("admin", tenant_id=other)
    )
    assert (read.status_code, change.status_code) == (404, 404)
    assert listed.json() == {"items": [], "next_cursor": None}
    mine = await booking.client.get(url, headers=booking.headers("admin"))
    assert mine.json()["name"] == "Mine"


@pytest.mark.parametrize("role", ["ai_agent", "receptionist", "practitioner", "patient"])
async def test_only_catalog_writers_may_create_locations(booking: Any, role: str) -> None:
    response = await booking.client.post(
        f"{API}/locations",
        json={"name": "A", "timezone": "Asia/Taipei"},
        headers=booking.headers(role),
    )
    assert response.status_code == 403
    assert response.json()["code"] == "missing_permission"


async def test_an_ai_agent_cannot_even_read_the_catalog(booking: Any) -> None:
    response = await booking.client.get(f"{API}/locations", headers=booking.headers("ai_agent"))
    assert response.status_code == 403


async def test_lists_page_with_an_opaque_cursor_until_the_end(booking: Any) -> None:
    names = [f"Site {i}" for i in range(5)]
    for name in names:
        await _create(booking, "/locations", {"name": name, "timezone": "Asia/Taipei"})
    seen: list[str] = []
    cursor: str | None = None
    headers = booking.headers("receptionist")
    for _ in range(3):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await booking.client.get(f"{API}/locations", params=params, headers=headers)).json()
        seen += [item["name"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert seen == names
    assert cursor is None


async def test_a_forged_cursor_is_a_problem_not_a_crash(booking: Any) -> None:
    response = await booking.client.get(
        f"{API}/locations", params={"cursor": "not-a-cursor"}, headers=booking.headers("admin")
    )
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("invalid_cursor", "cursor")


async def test_a_location_in_use_by_a_room_cannot_be_retired(booking: Any) -> None:
    site = await _create(booking, "/locations", {"name": "A", "timezone": "Asia/Taipei"})
    room = await _create(booking, "/rooms", {"location_id": site["id"], "name": "R1"})
    admin = booking.headers("admin")
    refused = await booking.client.delete(f"{API}/locations/{site['id']}", headers=admin)
    assert refused.status_code == 409
    assert refused.json()["code"] == "location_in_use"
    assert (await booking.client.delete(f"{API}/rooms/{room['id']}", headers=admin)).is_success
    assert (await booking.client.delete(f"{API}/locations/{site['id']}", headers=admin)).is_success
