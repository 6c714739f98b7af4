"""Every booking route against every role: who is let through, and how everyone else is refused.

One app and one tenant serve the whole table. Each row is a route (with "own" and "someone
else's" variants where the data decides); each column a principal: the patient is p1, the
practitioner is Dr A, the hygienist is Dr H (in no appointment), the AI agent acts for p1, and a
second agent acts for no patient. A refused call must answer its exact status as problem+json
(401 no token, 403 not allowed, 404 someone else's); an allowed one must get past authorization
(never 401, 403 or 404, never a 500) — a 409 or 422 from the state machine or a policy is fine.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from booking.app import build_app
from booking.config import Settings

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
ZONE = "Asia/Taipei"

Body = Callable[["World"], dict[str, Any]] | None
ALLOWED = "allowed"

MANAGERS = frozenset({"admin", "clinic_manager"})
STAFF = MANAGERS | {"receptionist"}
CLINICIANS = frozenset({"practitioner", "hygienist"})
CATALOG_READERS = STAFF | CLINICIANS | {"patient", "service"}
AGENTS = frozenset({"ai_agent", "ai_agent_no_patient"})

# principal: (role, claims naming ids of the world, subject)
PRINCIPALS: dict[str, tuple[str, dict[str, str], str] | None] = {
    "admin": ("admin", {}, "admin-1"),
    "clinic_manager": ("clinic_manager", {}, "manager-1"),
    "receptionist": ("receptionist", {}, "desk-1"),
    "practitioner": ("practitioner", {"practitioner_id": "dr_a"}, "dr-a"),
    "hygienist": ("hygienist", {"practitioner_id": "dr_h"}, "dr-h"),
    "patient": ("patient", {"patient_id": "p1"}, "patient-1"),
    "ai_agent": ("ai_agent", {"patient_id": "p1"}, "agent-1"),
    "ai_agent_no_patient": ("ai_agent", {}, "agent-2"),
    "service": ("service", {}, "svc-1"),
    "no_token": None,
}


@dataclass(frozen=True)
class Row:
    """One route (and whose data it touches), who may call it, and how the others are refused."""

    label: str
    method: str
    path: str  # "{name}" parts are ids of the world
    allowed: frozenset[str]
    body: Body = None
    denied: dict[str, int] = field(default_factory=dict)  # other principals: 403

    def expected(self, principal: str) -> int | str:
        if principal == "no_token":
            return 401
        if principal in self.allowed:
            return ALLOWED
        return self.denied.get(principal, 403)


@dataclass
class World:
    """The tenant's data the rows refer to, its principals' headers, and fresh slots."""

    clinic: Any
    ids: dict[str, str]
    headers: dict[str, dict[str, str]]
    slots: Iterator[int] = field(default_factory=itertools.count)
    series_days: Iterator[int] = field(default_factory=lambda: itertools.count(100))

    def at(self, day: int, hour: int, minute: int = 0) -> str:
        zone = ZoneInfo(ZONE)
        d = datetime.now(zone).date() + timedelta(days=day)
        return datetime(d.year, d.month, d.day, hour, minute, tzinfo=zone).isoformat()

    def slot(self) -> str:
        """A start no other booking of the table uses: 20 half-hours a day, days 1 to 60."""
        n = next(self.slots)
        return self.at(1 + n // 20, 9 + (n % 20) // 2, 30 * (n % 2))

    def series(self) -> dict[str, Any]:
        """Two weekly visits for p1 on days no other series of the table uses."""
        start = self.at(next(self.series_days), 10)
        return {**self.reserve("p1"), "start_at": start, "rrule": "FREQ=WEEKLY;COUNT=2"}

    async def resolve(self, path: str) -> str:
        """The path with its ids; a `new_…` id is made afresh for this one call."""
        names = re.findall(r"\{(\w+)\}", path)
        values = {n: await FRESH[n](self) if n in FRESH else self.ids[n] for n in names}
        return API + path.format(**values)

    async def made(self, path: str, principal: str, body: dict[str, Any]) -> str:
        """POST as `principal` and return the new id."""
        response = await self.clinic.booking.client.post(
            f"{API}{path}", json=body, headers=self.headers[principal]
        )
        assert response.status_code == 201, response.text
        made: dict[str, Any] = response.json()
        return str(made.get("id") or made["series_id"])

    def reserve(self, patient: str | None, practitioner: str = "dr_a") -> dict[str, Any]:
        body: dict[str, Any] = {
            "appointment_type_id": self.ids["type"],
            "location_id": self.ids["location"],
            "practitioner_ids": [self.ids[practitioner]],
            "start_at": self.slot(),
        }
        if patient is not None:
            body["patient_id"] = self.ids[patient]
        return body


# Targets a row changes are made afresh for each call, so one principal's change never decides
# how the next is answered.
FRESH: dict[str, Callable[[World], Awaitable[str]]] = {
    "new_appt_p1": lambda w: w.made("/appointments", "receptionist", w.reserve("p1")),
    "new_appt_p2": lambda w: w.made("/appointments", "receptionist", w.reserve("p2", "dr_b")),
    "new_hold_p1": lambda w: w.made("/holds", "patient", w.reserve("p1")),
    "new_hold_p2": lambda w: w.made("/holds", "receptionist", w.reserve("p2", "dr_b")),
    "new_agent_hold": lambda w: w.made("/holds", "ai_agent", w.reserve("p1")),
    "new_series": lambda w: w.made("/series", "receptionist", w.series()),
}
PATIENT = {"name": "Kai", "email": "kai@example.org", "preferred_channel": "email"}


def _catalog(path: str, key: str, create: Body, change: dict[str, Any]) -> list[Row]:
    return [
        Row(f"POST {path}", "POST", path, MANAGERS, create),
        Row(f"GET {path}", "GET", path, CATALOG_READERS),
        Row(f"GET {path}/{{id}}", "GET", f"{path}/{{{key}}}", CATALOG_READERS),
        Row(f"PATCH {path}/{{id}}", "PATCH", f"{path}/{{{key}}}", MANAGERS, lambda w: change),
        Row(f"DELETE {path}/{{id}}", "DELETE", f"{path}/{{spare_{key}}}", MANAGERS),
    ]


def _type_body(w: World) -> dict[str, Any]:
    return {
        "slug": f"t-{uuid4().hex[:8]}",
        "name": "Check-up",
        "duration_minutes": 30,
        "price": "40.00",
        "currency": "TWD",
    }


def _hold(patient: str | None) -> Body:
    return lambda w: w.reserve(patient)


ACTIONS = {  # action: who may apply it to p1's visit with Dr A, besides staff
    "confirm": {"practitioner", "patient"},
    "decline": {"practitioner"},
    "cancel": {"practitioner", "patient"},
    "complete": {"practitioner"},
    "no-show": {"practitioner"},
    "reschedule": {"practitioner", "patient"},
}


def _action_body(action: str) -> Body:
    if action == "reschedule":
        return lambda w: {"start_at": w.slot()}
    if action in ("decline", "cancel"):
        return lambda w: {"reason": "table"}
    return None


def _appointment_actions() -> list[Row]:
    rows = []
    for action, others in ACTIONS.items():
        rows.append(
            Row(
                f"POST /appointments/{{p1's}}/{action}",
                "POST",
                f"/appointments/{{new_appt_p1}}/{action}",
                STAFF | others,
                _action_body(action),
                # The hygienist is not in it; a patient has no say in the clinic's own steps.
                {"hygienist": 404, **({"patient": 403} if "patient" not in others else {})},
            )
        )
        rows.append(
            Row(
                f"POST /appointments/{{p2's}}/{action}",
                "POST",
                f"/appointments/{{new_appt_p2}}/{action}",
                STAFF,
                _action_body(action),
                dict.fromkeys(("practitioner", "hygienist", "patient"), 404),
            )
        )
    return rows


ROWS: list[Row] = [
    *_catalog("/locations", "location", lambda w: {"name": "B", "timezone": ZONE}, {"name": "A"}),
    *_catalog(
        "/practitioners",
        "practitioner",
        lambda w: {"display_name": "Dr New"},
        {"bio": "Twenty years of practice."},
    ),
    *_catalog("/appointment-types", "type", _type_body, {"name": "Consultation"}),
    *_catalog(
        "/rooms", "room", lambda w: {"location_id": w.ids["location"], "name": "R"}, {"name": "R1"}
    ),
    *_catalog(
        "/equipment",
        "equipment",
        lambda w: {"location_id": w.ids["location"], "name": "X-ray"},
        {"name": "Laser"},
    ),
    Row("POST /patients", "POST", "/patients", STAFF, lambda w: PATIENT),
    Row("GET /patients", "GET", "/patients", STAFF | CLINICIANS),
    Row("GET /patients/{p1}", "GET", "/patients/{p1}", STAFF | CLINICIANS | {"patient"}),
    Row("GET /patients/{p2}", "GET", "/patients/{p2}", STAFF | CLINICIANS, None, {"patient": 404}),
    Row(
        "PATCH /patients/{p1}",
        "PATCH",
        "/patients/{p1}",
        STAFF | {"patient"},
        lambda w: {"preferred_language": "en"},
    ),
    Row(
        "PATCH /patients/{p2}",
        "PATCH",
        "/patients/{p2}",
        STAFF,
        lambda w: {"preferred_language": "en"},
        {"patient": 404},
    ),
    Row("DELETE /patients/{id}", "DELETE", "/patients/{spare_patient}", frozenset({"admin"})),
    Row("POST /holds for p1", "POST", "/holds", STAFF | {"patient", "ai_agent"}, _hold("p1")),
    Row("POST /holds for p2", "POST", "/holds", STAFF, _hold("p2")),
    Row(
        "POST /holds naming no patient",
        "POST",
        "/holds",
        STAFF | {"patient", "ai_agent", "ai_agent_no_patient"},
        _hold(None),
    ),
    Row("POST /holds/{p1's}/release", "POST", "/holds/{new_hold_p1}/release", STAFF | {"patient"}),
    Row(
        "POST /holds/{p2's}/release",
        "POST",
        "/holds/{new_hold_p2}/release",
        STAFF,
        None,
        {"patient": 404},
    ),
    Row(
        "POST /holds/{agent's, for p1}/book",
        "POST",
        "/holds/{new_agent_hold}/book",
        STAFF | {"patient", "ai_agent"},
        lambda w: {},
        {"ai_agent_no_patient": 404},
    ),
    Row(
        "POST /holds/{p1's}/book for p2",
        "POST",
        "/holds/{new_hold_p1}/book",
        STAFF,
        lambda w: {"patient_id": w.ids["p2"]},
        {"patient": 403, "ai_agent": 403, "ai_agent_no_patient": 404},
    ),
    Row(
        "POST /holds/{p2's}/book",
        "POST",
        "/holds/{new_hold_p2}/book",
        STAFF,
        lambda w: {},
        dict.fromkeys(("patient", "ai_agent", "ai_agent_no_patient"), 404),
    ),
    Row(
        "POST /appointments for p1",
        "POST",
        "/appointments",
        STAFF | {"patient", "ai_agent"},
        _hold("p1"),
    ),
    Row("POST /appointments for p2", "POST", "/appointments", STAFF, _hold("p2")),
    # Staff must name the patient (a 422, past authorization); the others get their own.
    Row(
        "POST /appointments naming no patient",
        "POST",
        "/appointments",
        STAFF | {"patient", "ai_agent"},
        _hold(None),
    ),
    Row(
        "GET /appointments",
        "GET",
        "/appointments?from={today}&to={in_a_year}",
        STAFF | CLINICIANS | {"patient"} | AGENTS,
    ),
    Row(
        "GET /appointments/{p1's}",
        "GET",
        "/appointments/{appt_p1}",
        STAFF | {"practitioner", "patient", "ai_agent"},
        None,
        {"hygienist": 404, "ai_agent_no_patient": 404},
    ),
    Row(
        "GET /appointments/{p2's}",
        "GET",
        "/appointments/{appt_p2}",
        STAFF,
        None,
        dict.fromkeys(
            ("practitioner", "hygienist", "patient", "ai_agent", "ai_agent_no_patient"), 404
        ),
    ),
    *_appointment_actions(),
    Row("GET /appointments/{id}/audit", "GET", "/appointments/{appt_p1}/audit", MANAGERS),
    Row(
        "POST /series",
        "POST",
        "/series",
        STAFF,
        lambda w: w.series(),
    ),
    Row(
        "POST /series/{id}/cancel",
        "POST",
        "/series/{new_series}/cancel",
        STAFF,
        lambda w: {"scope": "all"},
    ),
]

CASES = [
    pytest.param(row, principal, id=f"{row.label} as {principal}")
    for row in ROWS
    for principal in PRINCIPALS
]


async def _seed(booking: Any, open_clinic: Callable[..., Any]) -> World:
    clinic = await open_clinic(booking, uuid4())
    ids: dict[str, str] = {"location": clinic.location_id, "room": clinic.room_id}
    ids["dr_a"], ids["dr_b"], ids["dr_h"] = clinic.practitioners
    ids["practitioner"], ids["p1"] = ids["dr_a"], clinic.patient_id
    ids["type"] = await clinic.new_type(max_future_days=365)
    ids["equipment"] = await clinic.create(
        "/equipment", {"location_id": clinic.location_id, "name": "Chair"}
    )
    ids["spare_location"] = await clinic.create("/locations", {"name": "Old", "timezone": ZONE})
    ids["spare_practitioner"] = await clinic.create("/practitioners", {"display_name": "Dr Old"})
    ids["spare_type"] = await clinic.new_type()
    ids["spare_room"] = await clinic.create(
        "/rooms", {"location_id": clinic.location_id, "name": "Old room"}
    )
    ids["spare_equipment"] = await clinic.create(
        "/equipment", {"location_id": clinic.location_id, "name": "Old laser"}
    )
    ids["p2"] = await clinic.create("/patients", PATIENT)
    ids["spare_patient"] = await clinic.create("/patients", PATIENT)
    world = World(clinic, ids, {"no_token": {}})
    for name, principal in PRINCIPALS.items():
        if principal is not None:
            role, claims, subject = principal
            named = {claim: ids[key] for claim, key in claims.items()}
            world.headers[name] = clinic.headers(role, subject=subject, **named)
    ids["appt_p1"] = await world.made("/appointments", "receptionist", world.reserve("p1"))
    ids["appt_p2"] = await world.made("/appointments", "receptionist", world.reserve("p2", "dr_b"))
    ids["today"] = world.at(0, 0).replace("+", "%2B")
    ids["in_a_year"] = world.at(365, 0).replace("+", "%2B")
    return world


@pytest.fixture(scope="module")
async def world(shared_booking: Any, clinic_opener: Callable[..., Any]) -> World:
    return await _seed(shared_booking, clinic_opener)


@pytest.mark.parametrize(("row", "principal"), CASES)
async def test_each_principal_reaches_exactly_the_routes_and_data_it_may(
    world: World, row: Row, principal: str
) -> None:
    body = row.body(world) if row.body is not None else None
    response = await world.clinic.booking.client.request(
        row.method,
        await world.resolve(row.path),
        json=body,
        headers=world.headers[principal],
    )
    expected = row.expected(principal)
    if expected == ALLOWED:
        assert response.status_code not in (401, 403, 404), response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == expected, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


def test_the_table_covers_every_booking_route() -> None:
    app = build_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    routes = {
        (method.upper(), _template(path.removeprefix(API)))
        for path, item in app.openapi()["paths"].items()
        if path.startswith(API)
        for method in item
    }
    covered = {(row.method, _template(row.path)) for row in ROWS}
    assert routes == covered


def _template(path: str) -> str:
    # "/holds/{new_hold_p1}/book" and "/holds/{hold_id}/book" name one route.
    return re.sub(r"\{[^}]+\}", "{}", path.split("?")[0])
