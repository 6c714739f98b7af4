"""Bad input at booking's edge: control characters in text, instants outside 1970-2199, bodies
over the size cap. Each is a problem naming the field (or the size), and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
NUL = "Da\u0000an"
FAR = "9999-12-31T23:30:00Z"  # overflowed as soon as booking added the duration: a 500
ANCIENT = "0001-01-01T02:00:00Z"  # accepted (with overrides), then dead-lettered downstream


@pytest.fixture(scope="module")
async def c(shared_booking: Any, clinic_opener: Callable[..., Any]) -> Any:
    made = await clinic_opener(shared_booking, uuid4())
    made.appointment = (
        await made.booking.client.post(
            f"{API}/appointments", json=made.body(made.at(3, 10)), headers=made.admin
        )
    ).json()["id"]
    made.series = (
        await made.booking.client.post(
            f"{API}/series",
            json={**made.body(made.at(3, 11)), "rrule": "FREQ=WEEKLY;COUNT=2"},
            headers=made.admin,
        )
    ).json()["series_id"]
    return made


def _reserve(c: Any, **change: Any) -> dict[str, Any]:
    return {**c.body(c.at(4, 10)), "override_policies": True, **change}


PATIENT = {"name": "Mei", "email": "mei@example.org", "preferred_channel": "email"}
TYPE = {"slug": "x", "name": "X", "duration_minutes": 30, "price": "1", "currency": "TWD"}

# (label, method, path, body or query, the field the problem names)
BAD: list[tuple[str, str, str, Callable[[Any], dict[str, Any]], str]] = [
    ("patient name", "POST", "/patients", lambda c: {**PATIENT, "name": NUL}, "body.name"),
    (
        "patient email",
        "POST",
        "/patients",
        lambda c: {**PATIENT, "email": "m\u0000@x.org"},
        "body.email",
    ),
    (
        "patient line id",
        "POST",
        "/patients",
        lambda c: {**PATIENT, "line_user_id": "U\u00001"},
        "body.line_user_id",
    ),
    ("patient name", "PATCH", "/patients/{patient}", lambda c: {"name": NUL}, "body.name"),
    (
        "patient line id",
        "PATCH",
        "/patients/{patient}",
        lambda c: {"line_user_id": "U\u001b1"},
        "body.line_user_id",
    ),
    (
        "location name",
        "POST",
        "/locations",
        lambda c: {"name": NUL, "timezone": "UTC"},
        "body.name",
    ),
    (
        "location address",
        "POST",
        "/locations",
        lambda c: {"name": "A", "address": NUL, "timezone": "UTC"},
        "body.address",
    ),
    ("location name", "PATCH", "/locations/{location}", lambda c: {"name": NUL}, "body.name"),
    (
        "location address",
        "PATCH",
        "/locations/{location}",
        lambda c: {"address": "1 Main St\nBcc: x"},
        "body.address",
    ),
    (
        "practitioner name",
        "POST",
        "/practitioners",
        lambda c: {"display_name": NUL},
        "body.display_name",
    ),
    (
        "practitioner bio",
        "POST",
        "/practitioners",
        lambda c: {"display_name": "Dr A", "bio": "line\u0000"},
        "body.bio",
    ),
    (
        "practitioner specialty",
        "POST",
        "/practitioners",
        lambda c: {"display_name": "Dr A", "specialties": ["ortho\u0007"]},
        "body.specialties.0",
    ),
    (
        "practitioner bio",
        "PATCH",
        "/practitioners/{practitioner}",
        lambda c: {"bio": "\u0000"},
        "body.bio",
    ),
    (
        "appointment type name",
        "POST",
        "/appointment-types",
        lambda c: {**TYPE, "name": NUL},
        "body.name",
    ),
    (
        "appointment type name",
        "PATCH",
        "/appointment-types/{type}",
        lambda c: {"name": NUL},
        "body.name",
    ),
    (
        "room name",
        "POST",
        "/rooms",
        lambda c: {"location_id": c.location_id, "name": NUL},
        "body.name",
    ),
    ("room name", "PATCH", "/rooms/{room}", lambda c: {"name": NUL}, "body.name"),
    (
        "equipment name",
        "POST",
        "/equipment",
        lambda c: {"location_id": c.location_id, "name": NUL},
        "body.name",
    ),
    ("far start", "POST", "/appointments", lambda c: _reserve(c, start_at=FAR), "body.start_at"),
    (
        "ancient start",
        "POST",
        "/appointments",
        lambda c: _reserve(c, start_at=ANCIENT),
        "body.start_at",
    ),
    (
        "start before 1970",
        "POST",
        "/appointments",
        lambda c: _reserve(c, start_at="1969-12-31T23:59:59Z"),
        "body.start_at",
    ),
    (
        "start in 2200",
        "POST",
        "/appointments",
        lambda c: _reserve(c, start_at="2200-01-01T00:00:00Z"),
        "body.start_at",
    ),
    ("far start", "POST", "/holds", lambda c: _reserve(c, start_at=FAR), "body.start_at"),
    ("ancient start", "POST", "/holds", lambda c: _reserve(c, start_at=ANCIENT), "body.start_at"),
    (
        "far start",
        "POST",
        "/series",
        lambda c: {**_reserve(c, start_at=FAR), "rrule": "FREQ=DAILY;COUNT=2"},
        "body.start_at",
    ),
    (
        "rrule",
        "POST",
        "/series",
        lambda c: {**_reserve(c), "rrule": "FREQ=DAILY;COUNT=2\u0000"},
        "body.rrule",
    ),
    (
        "far start",
        "POST",
        "/appointments/{appointment}/reschedule",
        lambda c: {"start_at": FAR},
        "body.start_at",
    ),
    (
        "ancient start",
        "POST",
        "/appointments/{appointment}/reschedule",
        lambda c: {"start_at": ANCIENT, "override_policies": True},
        "body.start_at",
    ),
    (
        "reason",
        "POST",
        "/appointments/{appointment}/cancel",
        lambda c: {"reason": NUL},
        "body.reason",
    ),
    (
        "reason",
        "POST",
        "/appointments/{appointment}/decline",
        lambda c: {"reason": NUL},
        "body.reason",
    ),
    (
        "reason",
        "POST",
        "/series/{series}/cancel",
        lambda c: {"scope": "all", "reason": NUL},
        "body.reason",
    ),
    (
        "far from",
        "GET",
        "/appointments",
        lambda c: {"from": "9999-12-31T00:00:00Z", "to": "9999-12-31T12:00:00Z"},
        "query.from",
    ),
    (
        "ancient to",
        "GET",
        "/appointments",
        lambda c: {"from": c.at(1, 0), "to": ANCIENT},
        "query.to",
    ),
    (
        "cursor",
        "GET",
        "/appointments",
        lambda c: {"from": c.at(1, 0), "to": c.at(2, 0), "cursor": "a\u0000"},
        "query.cursor",
    ),
    ("cursor", "GET", "/locations", lambda c: {"cursor": "a\u0000"}, "query.cursor"),
]


async def _url(c: Any, path: str) -> str:
    ids = {
        "patient": c.patient_id,
        "location": c.location_id,
        "practitioner": c.practitioners[2],
        "type": c.type_id,
        "room": c.room_id,
        "appointment": c.appointment,
        "series": c.series,
    }
    return API + path.format(**ids)


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [pytest.param(m, p, d, f, id=f"{m} {p} {label}") for label, m, p, d, f in BAD],
)
async def test_bad_text_or_instants_are_a_422_naming_the_field_and_write_nothing(
    c: Any, method: str, path: str, data: Callable[[Any], dict[str, Any]], field: str
) -> None:
    before = c.booking.written(c.tenant_id)
    url = await _url(c, path)
    if method == "GET":
        response = await c.booking.client.get(url, params=data(c), headers=c.admin)
    else:
        response = await c.booking.client.request(method, url, json=data(c), headers=c.admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in [e["field"] for e in response.json()["errors"]]
    assert c.booking.written(c.tenant_id) == before


async def test_a_bio_keeps_its_lines_and_names_are_trimmed(c: Any) -> None:
    response = await c.booking.client.post(
        f"{API}/practitioners",
        json={"display_name": "  Dr Lin  ", "bio": "Trained in Taipei.\r\n\tTwenty years."},
        headers=c.admin,
    )
    assert response.status_code == 201, response.text
    assert response.json()["display_name"] == "Dr Lin"
    assert response.json()["bio"] == "Trained in Taipei.\r\n\tTwenty years."


async def test_a_two_megabyte_patient_is_refused_with_413_before_it_is_read(c: Any) -> None:
    before = c.booking.written(c.tenant_id)
    response = await c.booking.client.post(
        f"{API}/patients", json={**PATIENT, "name": "x" * 2_000_000}, headers=c.admin
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "body_too_large"
    assert c.booking.written(c.tenant_id) == before
