"""One catalog rule across services: every slot schedules offers books in booking (201), and no
booking at a time schedules does not offer succeeds (without a staff override) — for random
catalogs (practitioner status and links, location, type, room and equipment states) and rules.

Each example is a fresh tenant on the same two service processes. Before asking for slots, the
test waits until schedules has applied every catalog event booking wrote for the tenant (booking's
outbox against schedules' inbox), so a slow broker can never pass for agreement.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.auth import issue_token
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.settings import ServiceSettings
from clinic_testkit.topic_reader import skip_group_to_end

pytestmark = pytest.mark.integration
CATALOG = "booking.catalog.v1"
STEP = timedelta(minutes=5)


@dataclass(frozen=True)
class Scenario:
    """A catalog and the practitioner's rules on one local date."""

    zone: str
    days_ahead: int
    status: str  # the practitioner's
    linked: bool  # the catalog places the practitioner at the location
    location: str  # active | inactive (booking refuses to retire a location in use)
    kind: str  # the type: active | inactive | retired
    # The type's room and equipment: booking keeps them at one site and refuses to retire
    # what a live type needs, so they differ only in where that site is.
    needs: str  # none | room | equipment | both
    site: str  # here | elsewhere
    duration: int
    intervals: tuple[tuple[int, int], ...]  # minutes after local midnight, the weekly template
    blocked: tuple[int, int] | None  # a blocked exception on the date


# Each way the catalog can make a booking impossible, departing from a bookable baseline one at a
# time: random catalogs rarely hit a single one, so each is also an explicit example below.
DEVIATIONS: dict[str, dict[str, Any]] = {
    "bookable": {},
    "draft practitioner": {"status": "draft"},
    "inactive practitioner": {"status": "inactive"},
    "practitioner not linked here": {"linked": False},
    "inactive location": {"location": "inactive"},
    "inactive type": {"kind": "inactive"},
    "retired type": {"kind": "retired"},
    "type's room and equipment elsewhere": {"needs": "both", "site": "elsewhere"},
}
BASELINE: dict[str, Any] = {
    "status": "active",
    "linked": True,
    "location": "active",
    "kind": "active",
    "needs": "none",
    "site": "here",
}


@st.composite
def scenarios(draw: st.DrawFn, deviation: str | None = None) -> Scenario:
    starts = draw(st.lists(st.integers(14, 38), min_size=1, max_size=2, unique=True))
    intervals: list[tuple[int, int]] = []
    for start in sorted(starts):  # half hours after midnight: 07:00 to 19:00
        length = draw(st.integers(2, 6))
        if intervals and start * 30 < intervals[-1][1]:
            continue
        intervals.append((start * 30, min(start + length, 46) * 30))
    blocked = draw(st.none() | st.tuples(st.integers(14, 40), st.integers(1, 4)))
    catalog = {**BASELINE, "needs": draw(st.sampled_from(["none", "room", "equipment", "both"]))}
    catalog |= DEVIATIONS[deviation or draw(st.sampled_from(sorted(DEVIATIONS)))]
    return Scenario(
        zone=draw(st.sampled_from(["Asia/Taipei", "America/New_York", "Europe/London"])),
        days_ahead=draw(st.integers(2, 20)),
        duration=draw(st.sampled_from([15, 20, 30, 45])),
        intervals=tuple(intervals),
        blocked=None if blocked is None else (blocked[0] * 30, (blocked[0] + blocked[1]) * 30),
        **catalog,
    )


def example_of(deviation: str) -> Scenario:
    """A fixed scenario with one deviation: Monday-like hours 09:00-12:00 and 14:00-18:00."""
    return Scenario(
        zone="Asia/Taipei",
        days_ahead=3,
        duration=30,
        intervals=((540, 720), (840, 1080)),
        blocked=(960, 1020),
        **{**BASELINE, "needs": "room", **DEVIATIONS[deviation]},
    )


class Clinic:
    """One tenant on the running pair: its catalog calls, its rules calls, its tokens."""

    def __init__(self, booking: Any, schedules: Any) -> None:
        self.booking, self.schedules = booking, schedules
        self.tenant = uuid4()
        self.admin = self.headers("admin")

    def headers(self, role: str, patient_id: UUID | None = None) -> dict[str, str]:
        token = issue_token(
            ServiceSettings(),
            subject=f"{role}-{uuid4()}",
            tenant_id=self.tenant,
            roles=[role],
            patient_id=patient_id,
        )
        return {"Authorization": f"Bearer {token}"}

    def create(self, path: str, body: dict[str, Any]) -> str:
        response = httpx.post(f"{self.api}{path}", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def retire(self, path: str) -> None:
        response = httpx.delete(f"{self.api}{path}", headers=self.admin)
        assert response.status_code == 204, response.text

    @property
    def api(self) -> str:
        return f"{self.booking.base_url}/api/v1/booking"

    @property
    def rules(self) -> str:
        return f"{self.schedules.base_url}/api/v1/schedules"


def build(clinic: Clinic, scenario: Scenario) -> dict[str, str]:
    """The scenario's catalog in booking; the ids the booking requests name."""
    here = clinic.create("/locations", {"name": "Here", "timezone": scenario.zone})
    there = clinic.create("/locations", {"name": "There", "timezone": scenario.zone})
    practitioner = clinic.create(
        "/practitioners",
        {
            "display_name": "Dr. Prop",
            "status": scenario.status,
            "location_ids": [here] if scenario.linked else [there],
        },
    )
    room = thing = None
    site = there if scenario.site == "elsewhere" else here
    if scenario.needs in ("room", "both"):
        room = clinic.create("/rooms", {"location_id": site, "name": "Room 1"})
    if scenario.needs in ("equipment", "both"):
        thing = clinic.create("/equipment", {"location_id": site, "name": "Scanner"})
    kind = clinic.create(
        "/appointment-types",
        {
            "slug": f"visit-{uuid4().hex[:8]}",
            "name": "Visit",
            "duration_minutes": scenario.duration,
            "price": "10.00",
            "currency": "TWD",
            "default_room_id": room,
            "required_equipment_ids": [thing] if thing else [],
            "active": scenario.kind != "inactive",
        },
    )
    patient = clinic.create(
        "/patients",
        {
            "name": "Pat",
            "email": "pat@example.org",
            "preferred_language": "en",
            "preferred_channel": "email",
        },
    )
    return {
        "location": here,
        "practitioner": practitioner,
        "type": kind,
        "patient": patient,
        "then": scenario.location,
        "type_then": scenario.kind,
    }


def finish_catalog(clinic: Clinic, ids: dict[str, str]) -> None:
    """The lifecycle steps that come after the rules were written: deactivate, retire."""
    if ids["then"] == "inactive":
        changed = httpx.patch(
            f"{clinic.api}/locations/{ids['location']}",
            json={"active": False},
            headers=clinic.admin,
        )
        assert changed.status_code == 200, changed.text
    if ids["type_then"] == "retired":
        clinic.retire(f"/appointment-types/{ids['type']}")


def caught_up(clinic: Clinic, timeout_s: float = 30) -> None:
    """Wait until schedules applied every catalog event booking wrote for the tenant."""
    deadline = time.monotonic() + timeout_s
    written_sql = "SELECT event_id::text FROM clinic_outbox WHERE tenant_id = %s AND topic = %s"
    applied_sql = "SELECT event_id FROM clinic_inbox WHERE tenant_id = %s AND consumer_group = %s"
    while True:
        with psycopg.connect(_dsn(clinic.booking.database_url)) as db:
            db.execute("SET app.system = 'on'")
            written = {row[0] for row in db.execute(written_sql, (clinic.tenant, CATALOG))}
        with psycopg.connect(_dsn(clinic.schedules.database_url)) as db:
            db.execute("SET app.system = 'on'")
            applied = {row[0] for row in db.execute(applied_sql, (clinic.tenant, "schedules"))}
        if written and written <= applied:
            return
        assert time.monotonic() < deadline, f"schedules never applied {written - applied}"
        time.sleep(0.1)


def _dsn(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def write_rules(clinic: Clinic, scenario: Scenario, ids: dict[str, str], day: date) -> None:
    """The weekly template (and the blocked exception) in schedules; refusals are part of the
    scenario (a practitioner or location schedules will not take rules for)."""

    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    name = day.strftime("%A").lower()
    httpx.put(
        f"{clinic.rules}/practitioners/{ids['practitioner']}/availability/default",
        json={
            "location_id": ids["location"],
            "effective_from": (day - timedelta(days=7)).isoformat(),
            "schedule": {
                name: [{"start_time": hhmm(a), "end_time": hhmm(b)} for a, b in scenario.intervals]
            },
        },
        headers=clinic.admin,
    )
    if scenario.blocked is not None:
        a, b = scenario.blocked
        httpx.post(
            f"{clinic.rules}/practitioners/{ids['practitioner']}/availability/exceptions",
            json={
                "kind": "blocked",
                "date": day.isoformat(),
                "start_time": hhmm(a),
                "end_time": hhmm(min(b, 23 * 60 + 55)),
            },
            headers=clinic.admin,
        )


def offered(clinic: Clinic, ids: dict[str, str], day: date) -> list[datetime]:
    """Starts schedules offers on the date every 5 minutes (none when it refuses the query)."""
    response = httpx.get(
        f"{clinic.rules}/practitioners/{ids['practitioner']}/availability/slots",
        params={
            "date": day.isoformat(),
            "appointment_type_id": ids["type"],
            "location_id": ids["location"],
            "step_minutes": 5,
        },
        headers=clinic.admin,
    )
    if response.status_code != 200:
        return []
    return [datetime.fromisoformat(slot["start"]) for slot in response.json()["slots"]]


def book(
    clinic: Clinic, ids: dict[str, str], start: datetime, headers: dict[str, str]
) -> httpx.Response:
    return httpx.post(
        f"{clinic.api}/appointments",
        json={
            "appointment_type_id": ids["type"],
            "location_id": ids["location"],
            "practitioner_ids": [ids["practitioner"]],
            "patient_id": ids["patient"],
            "start_at": start.isoformat(),
        },
        headers=headers,
    )


def candidates(day: date, zone: ZoneInfo, offered_starts: set[datetime]) -> list[datetime]:
    """Times schedules does not offer: every hour from 06:00 to 21:00, and 5 minutes either side
    of each offered start (the edges of its windows)."""
    grid = [
        datetime(day.year, day.month, day.day, tzinfo=zone) + timedelta(hours=n)
        for n in range(6, 22)
    ]
    edges = [start + delta for start in offered_starts for delta in (-STEP, STEP)]
    return sorted(
        {t for t in (*grid, *edges) if t not in offered_starts and t.astimezone(zone).date() == day}
    )


@pytest.fixture
def pair(launch_service: Any, kafka_bootstrap: str) -> tuple[Any, Any]:
    """Both services once for all examples (hypothesis runs them in one test call)."""
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    for topic in CONSUMER_GROUPS["schedules"]:
        asyncio.run(skip_group_to_end(kafka_bootstrap, "schedules", topic))
    schedules = launch_service("schedules")
    booking = launch_service("booking", schedules_url=schedules.base_url)
    return booking, schedules


def with_each_deviation(test: Any) -> Any:
    """Every deviation as an explicit example, besides the random ones."""
    for name in DEVIATIONS:
        test = example(scenario=example_of(name))(test)
    return test


@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # each example costs seconds: report, not shrink
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@with_each_deviation
@given(scenario=scenarios())
def test_every_offered_slot_books_and_nothing_else_does(
    pair: tuple[Any, Any], scenario: Scenario
) -> None:
    clinic = Clinic(*pair)
    zone = ZoneInfo(scenario.zone)
    day = datetime.now(zone).date() + timedelta(days=scenario.days_ahead)
    ids = build(clinic, scenario)
    caught_up(clinic)
    write_rules(clinic, scenario, ids, day)
    finish_catalog(clinic, ids)
    caught_up(clinic)

    starts = offered(clinic, ids, day)
    patient = clinic.headers("patient", patient_id=UUID(ids["patient"]))
    sample = sorted({*starts[:1], *starts[-1:], *starts[len(starts) // 2 : len(starts) // 2 + 1]})
    for start in sample:
        booked = book(clinic, ids, start, patient)
        assert booked.status_code == 201, f"{scenario}: offered {start} refused: {booked.text}"
        cancelled = httpx.post(
            f"{clinic.api}/appointments/{booked.json()['id']}/cancel",
            json={"reason": "property test"},
            headers=clinic.admin,
        )
        assert cancelled.status_code == 200, cancelled.text

    for start in candidates(day, zone, set(starts)):
        refused = book(clinic, ids, start, patient)
        assert refused.status_code != 201, f"{scenario}: {start} is not offered but booked"
        assert refused.status_code in (409, 422), refused.text
    # Staff are held to the same rule unless they override explicitly (allow_outside_hours).
    for start in candidates(day, zone, set(starts))[::4]:
        refused = book(clinic, ids, start, clinic.admin)
        assert refused.status_code != 201, f"{scenario}: {start} is not offered but staff booked"
