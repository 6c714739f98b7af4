"""Every date, instant, month and text the schedules API takes is checked at its edge: outside
1970-01-01..2199-12-31, or with a control character, it is a 422 problem naming the field,
answered before any database is reached (none listens here: a request that got further would
answer 503)."""

import re
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest

from clinic_platform.auth import issue_token
from schedules.app import build_app
from schedules.config import Settings

SETTINGS = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
P, L, X, TYPE = uuid4(), uuid4(), uuid4(), str(uuid4())
LATE, EARLY = "9999-12-31", "0001-01-01"
NUL = "a\u0000b"
SPAN = {"start": "2026-12-24T09:00:00Z", "end": "2026-12-24T10:00:00Z"}

SLOTS = f"/practitioners/{P}/availability/slots"
CALENDAR = f"/practitioners/{P}/availability/calendar"
EXCEPTIONS = f"/practitioners/{P}/availability/exceptions"
HOLIDAYS = f"/locations/{L}/holidays"
HOURS = f"/locations/{L}/clinic-hours"
DEFAULT = f"/practitioners/{P}/availability/default"
LEAVE, BLOCKS = f"/practitioners/{P}/leave", f"/practitioners/{P}/blocks"
PLACE = {"practitioner_id": str(P), "location_id": str(L)}
MORNING = [{"start_time": "09:00", "end_time": "12:00"}]


def case(method: str, path: str, field: str, *, body: Any = None, **query: str) -> Any:
    """One row of the table: the request, and the field its problem must name."""
    query = {k.rstrip("_"): v for k, v in query.items()}  # from_ for "from"
    route = re.sub(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", "{id}", path)
    return pytest.param(method, path, query, body, field, id=f"{method} {route} {field}")


CASES = [
    case("GET", SLOTS, "query.date", date=LATE, appointment_type_id=TYPE),
    case("GET", SLOTS, "query.date", date=EARLY, appointment_type_id=TYPE),
    case(
        "GET", "/availability", "query.from", from_="9999-12-01", to=LATE, appointment_type_id=TYPE
    ),
    case(
        "GET",
        "/availability",
        "query.cursor",
        from_="2026-12-01",
        to="2026-12-02",
        appointment_type_id=TYPE,
        cursor=NUL,
    ),
    case(
        "GET",
        "/availability/check",
        "query.start",
        **PLACE,
        start=f"{LATE}T09:00:00Z",
        end=f"{LATE}T10:00:00Z",
    ),
    # 23:30 at UTC-5 on the last supported date is already 2200 in UTC.
    case(
        "GET",
        "/availability/check",
        "query.end",
        **PLACE,
        start="2199-12-31T23:00:00Z",
        end="2199-12-31T23:30:00-05:00",
    ),
    case("GET", "/analytics/occupancy", "query.from", from_="9999-12-01", to=LATE),
    case("GET", CALENDAR, "query.month", month="9999-12"),
    case("GET", CALENDAR, "query.month", month="0000-01"),
    case("GET", CALENDAR, "query.date", date=LATE),
    case("PUT", f"{HOLIDAYS}/{LATE}", "path.on", body={"name": "x"}),
    case("GET", f"{HOLIDAYS}/{EARLY}", "path.on"),
    case("DELETE", f"{HOLIDAYS}/{LATE}", "path.on"),
    case("GET", HOLIDAYS, "query.from", from_=EARLY),
    case("PUT", f"{HOLIDAYS}/2026-12-25", "body.name", body={"name": NUL}),
    case(
        "PUT",
        f"{HOLIDAYS}/2026-12-25",
        "body.exdates.0",
        body={"name": "x", "rrule": "FREQ=YEARLY", "exdates": [LATE]},
    ),
    case("PUT", HOURS, "body.closed_dates.0", body={"closed_dates": [LATE]}),
    case(
        "PUT",
        HOURS,
        "body.date_overrides.0.date",
        body={"date_overrides": [{"date": EARLY, "intervals": MORNING}]},
    ),
    case("PUT", DEFAULT, "body.effective_from", body={"effective_from": LATE}),
    case("GET", DEFAULT, "query.on", on=LATE),
    case("POST", EXCEPTIONS, "body.date", body={"date": LATE}),
    case("POST", EXCEPTIONS, "body.dtstart", body={"rrule": "FREQ=DAILY", "dtstart": EARLY}),
    case("POST", EXCEPTIONS, "body.reason", body={"date": "2026-12-24", "reason": NUL}),
    case(
        "POST",
        EXCEPTIONS,
        "body.rdates.0",
        body={"rrule": "FREQ=DAILY", "dtstart": "2026-12-24", "rdates": [LATE]},
    ),
    case("PUT", f"{EXCEPTIONS}/{X}", "body.reason", body={"reason": NUL}),
    case("PUT", f"{EXCEPTIONS}/{X}", "body.date", body={"date": LATE}),
    case("GET", EXCEPTIONS, "query.from", from_=LATE, to=LATE),
    case("POST", LEAVE, "body.reason", body={**SPAN, "reason": NUL}),
    case(
        "POST", LEAVE, "body.start", body={"start": f"{LATE}T09:00:00Z", "end": f"{LATE}T10:00:00Z"}
    ),
    # A local time this late would overflow while converted to UTC.
    case(
        "POST",
        LEAVE,
        "body.end",
        body={"start": "2026-12-24T09:00", "end": f"{LATE}T23:00", "timezone": "America/New_York"},
    ),
    case("GET", "/leave", "query.from", from_=f"{LATE}T00:00:00Z"),
    case("POST", BLOCKS, "body.reason", body={**SPAN, "reason": NUL}),
    case(
        "POST",
        BLOCKS,
        "body.start",
        body={"start": "0001-01-01T09:00:00+05:00", "end": SPAN["end"]},
    ),
]


APP = build_app(SETTINGS)  # connects to nothing until its lifespan, which never runs here


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(APP)
    base = "http://t/api/v1/schedules"
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        yield client


def admin() -> dict[str, str]:
    token = issue_token(SETTINGS, subject="someone", tenant_id=uuid4(), roles=["admin"])
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(("method", "path", "query", "body", "field"), CASES)
async def test_out_of_range_dates_and_control_characters_are_422_naming_the_field(
    client: httpx.AsyncClient,
    method: str,
    path: str,
    query: dict[str, str],
    body: dict[str, Any] | None,
    field: str,
) -> None:
    answer = await client.request(method, path, params=query, json=body, headers=admin())
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in answer.json()["errors"]], answer.json()
