"""The first and last supported dates (1970-01-01, 2199-12-31) work through every route on a
real database, with a day of lookahead and zones either side of UTC: never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Api
from .rules_clinic import open_clinic, put_week, week

pytestmark = pytest.mark.integration
FIRST, LAST = "1970-01-01", "2199-12-31"
EVERY_DAY = week(
    **{
        day: [("09:00", "17:00")]
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    }
)


Row = tuple[str, str, int, Any, bool | None, dict[str, str]]


def row(
    method: str,
    path: str,
    status: int = 200,
    body: Any = None,
    bookable: bool | None = None,
    **query: str,
) -> Row:
    """A request of the table and the status it must get (for checks, whether bookable)."""
    return method, path, status, body, bookable, {k.rstrip("_"): v for k, v in query.items()}


async def test_the_supported_ends_answer_through_every_route(schedules_api: Api) -> None:
    clinic = await open_clinic(schedules_api)
    p, berlin, new_york, kind = clinic.p, clinic.berlin, clinic.new_york, clinic.kind
    mine = clinic.as_("practitioner", p)
    for place, end in ((berlin, None), (new_york, LAST)):
        answer = await put_week(
            clinic,
            mine,
            location_id=str(place),
            effective_from=FIRST,
            effective_to=end,
            schedule=EVERY_DAY,
        )
        assert answer.status_code == 200, answer.text

    def check(start: str, end: str, bookable: bool, at: Any = berlin) -> Row:
        place = {"practitioner_id": str(p), "location_id": str(at)}
        return row("GET", "/availability/check", bookable=bookable, **place, start=start, end=end)

    slots = f"/practitioners/{p}/availability/slots"
    calendar = f"/practitioners/{p}/availability/calendar"
    exceptions = f"/practitioners/{p}/availability/exceptions"
    holidays = f"/locations/{berlin}/holidays"
    leave, blocks = f"/practitioners/{p}/leave", f"/practitioners/{p}/blocks"
    late_evening = {
        "start": f"{LAST}T20:00",
        "end": f"{LAST}T23:00",
        "timezone": "America/New_York",
    }
    daily_block = {"start": f"{LAST}T09:00", "end": f"{LAST}T10:00", "timezone": "Europe/Berlin"}
    table = [
        row("GET", slots, date=LAST, appointment_type_id=str(kind)),
        row("GET", slots, date=FIRST, appointment_type_id=str(kind)),
        row("GET", "/availability", from_="2199-12-01", to=LAST, appointment_type_id=str(kind)),
        check(f"{LAST}T08:00:00Z", f"{LAST}T08:30:00Z", True),
        check(f"{FIRST}T08:00:00Z", f"{FIRST}T08:30:00Z", True),
        # Berlin's first hour of 2200, New York's last evening of 1969: loaded, not bookable.
        check(f"{LAST}T23:00:00Z", f"{LAST}T23:59:59Z", False),
        check(f"{FIRST}T00:00:00Z", f"{FIRST}T00:30:00Z", False, new_york),
        row("GET", calendar, month="2199-12"),
        row("GET", calendar, month="1970-01"),
        row("GET", calendar, date=LAST),
        row("GET", calendar, date=FIRST),
        row("GET", f"/practitioners/{p}/availability/default", on=LAST),
        row("GET", "/analytics/occupancy", from_="2199-10-01", to=LAST),
        row("GET", "/analytics/occupancy", from_=FIRST, to="1970-03-01"),
        row("PUT", f"{holidays}/{LAST}", body={"name": "Last day"}),
        row("PUT", f"{holidays}/{FIRST}", body={"name": "First day"}),
        row("PUT", f"{holidays}/2199-12-30", body={"name": "Daily", "rrule": "FREQ=DAILY"}),
        row("GET", holidays, from_="2199-12-01", to=LAST),
        row("POST", exceptions, 201, body={"date": LAST, "kind": "available"}),
        row("POST", exceptions, 201, body={"rrule": "FREQ=DAILY", "dtstart": LAST}),
        row("GET", exceptions, from_="2199-12-01", to=LAST),
        row("POST", leave, 201, body={"start": f"{LAST}T00:00:00Z", "end": f"{LAST}T23:59:59Z"}),
        # Its end, 04:00 UTC on 1 January 2200, lies past the supported years.
        row("POST", leave, 422, body=late_evening),
        row("GET", "/leave", from_=f"{FIRST}T00:00:00Z", to=f"{LAST}T23:59:59Z"),
        row("POST", blocks, 201, body={"start": f"{LAST}T20:00:00Z", "end": f"{LAST}T21:00:00Z"}),
        row("POST", blocks, 201, body={**daily_block, "rrule": "FREQ=DAILY"}),
        row("GET", calendar, date=LAST),
        check(f"{LAST}T08:00:00Z", f"{LAST}T08:30:00Z", False),
    ]
    wrong = []
    headers = clinic.as_("admin")
    for method, path, status, body, bookable, query in table:
        answer = await schedules_api.client.request(
            method, path, params=query, json=body, headers=headers
        )
        if answer.status_code != status or (
            bookable is not None and answer.json()["bookable"] is not bookable
        ):
            wrong.append((method, path, query, answer.status_code, answer.text[:300]))
    assert wrong == []
