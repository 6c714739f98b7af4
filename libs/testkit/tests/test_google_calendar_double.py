"""The Google Calendar double answers as Calendar v3 and Google's OAuth 2.0 do.

Shapes, parameters and scopes come from the discovery document that google-api-python-client
ships; the last tests drive the double with that library and google-auth themselves, the best
evidence that a service written against Google works against the double with only its base
URLs changed.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from clinic_testkit.google_calendar import (
    CALENDAR,
    CALENDAR_EVENTS,
    CALENDAR_READONLY,
    ConsentError,
    Fault,
    GoogleCalendarDouble,
    OAuthClient,
    discovery,
)
from clinic_testkit.recording_upstream import RecordingUpstream

CHEN = "dr.chen@example.com"
TAIPEI = timezone(timedelta(hours=8))
REDIRECT = "http://127.0.0.1:8004/api/v1/calendar-sync/google/callback"


@pytest.fixture
def client(google_calendar: GoogleCalendarDouble) -> OAuthClient:
    google_calendar.add_account(CHEN, time_zone="Asia/Taipei")
    return google_calendar.register_client([REDIRECT])


@pytest.fixture
def api(google_calendar: GoogleCalendarDouble, client: OAuthClient) -> Iterator[httpx.Client]:
    tokens = google_calendar.issue_tokens(CHEN, client, [CALENDAR])
    with httpx.Client(
        base_url=google_calendar.api_base_url,
        headers={"Authorization": f"Bearer {tokens.access_token}"},
    ) as http:
        yield http


@pytest.fixture
def hook() -> Iterator[RecordingUpstream]:
    upstream = RecordingUpstream(["hook"]).start()
    yield upstream
    upstream.stop()


def _event(event_id: str | None = None, hour: int = 10, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "summary": "Consultation",
        "start": {"dateTime": f"2026-12-10T{hour:02d}:00:00+08:00", "timeZone": "Asia/Taipei"},
        "end": {"dateTime": f"2026-12-10T{hour:02d}:30:00+08:00", "timeZone": "Asia/Taipei"},
        **extra,
    }
    if event_id is not None:
        body["id"] = event_id
    return body


def _error(response: httpx.Response) -> tuple[int, str]:
    body = response.json()["error"]
    assert set(body) >= {"code", "message", "errors"}
    assert body["code"] == response.status_code
    (detail,) = body["errors"]
    assert set(detail) >= {"domain", "reason", "message"}
    return response.status_code, detail["reason"]


def _full_sync(api: httpx.Client, **params: Any) -> tuple[list[dict[str, Any]], str]:
    items: list[dict[str, Any]] = []
    page: dict[str, Any] = {}
    while True:
        body = api.get("calendars/primary/events", params={**params, **page}).json()
        items += body["items"]
        if "nextPageToken" in body:
            assert "nextSyncToken" not in body
            page = {"pageToken": body["nextPageToken"]}
            continue
        return items, body["nextSyncToken"]


# ---------------------------------------------------------------------------------------------
# The surface is the discovery document's


def test_every_route_is_a_discovery_method_with_its_http_method_and_path(
    google_calendar: GoogleCalendarDouble,
) -> None:
    served = {
        (method, route.path.removeprefix("/calendar/v3/"))
        for route in google_calendar._api.app.routes
        if route.path.startswith("/calendar/v3/")  # type: ignore[attr-defined]
        for method in route.methods - {"HEAD"}  # type: ignore[attr-defined]
    }
    document = discovery.document()["resources"]
    declared = {
        (spec["httpMethod"], spec["path"])
        for resource in document.values()
        for spec in resource.get("methods", {}).values()
    }
    assert served <= declared, served - declared
    assert len(served) == 11


# ---------------------------------------------------------------------------------------------
# Events: insert with our id, get, patch, update, delete; ETags


def test_insert_honours_a_client_id_and_answers_409_duplicate_for_it_again(
    api: httpx.Client,
) -> None:
    created = api.post("calendars/primary/events", json=_event("appt0001aa")).json()
    assert created["id"] == "appt0001aa"
    assert created["kind"] == "calendar#event"
    assert created["status"] == "confirmed"
    assert created["iCalUID"] == "appt0001aa@google.com"
    assert created["sequence"] == 0
    assert created["etag"].startswith('"')
    assert created["etag"].endswith('"')
    assert created["creator"] == {"email": CHEN, "self": True}
    assert created["organizer"] == {"email": CHEN, "self": True}
    assert "transparency" not in created  # opaque is the default Google leaves out

    again = api.post("calendars/primary/events", json=_event("appt0001aa", hour=11))
    assert _error(again) == (409, "duplicate")
    assert again.json()["error"]["status"] == "ALREADY_EXISTS"
    got = api.get("calendars/primary/events/appt0001aa").json()
    assert got["start"]["dateTime"] == "2026-12-10T10:00:00+08:00"  # the first one stays

    assert api.delete("calendars/primary/events/appt0001aa").status_code == 204
    reused = api.post("calendars/primary/events", json=_event("appt0001aa"))
    assert _error(reused) == (409, "duplicate")  # ids stay taken after deletion


@pytest.mark.parametrize("bad_id", ["abc", "UPPERCASE1", "has-dash-1", "wxyz12345", "a" * 1025])
def test_an_id_that_is_not_base32hex_of_5_to_1024_chars_is_refused(
    api: httpx.Client, bad_id: str
) -> None:
    response = api.post("calendars/primary/events", json=_event(bad_id))
    assert _error(response) == (400, "invalid")


def test_generated_ids_are_base32hex(api: httpx.Client) -> None:
    created = api.post("calendars/primary/events", json=_event()).json()
    assert len(created["id"]) == 26
    assert set(created["id"]) <= set("0123456789abcdefghijklmnopqrstuv")


def test_invalid_events_get_google_s_400s(api: httpx.Client) -> None:
    no_end = {"start": {"dateTime": "2026-12-10T10:00:00+08:00"}}
    assert _error(api.post("calendars/primary/events", json=no_end)) == (400, "required")
    backwards = _event()
    backwards["end"] = {"dateTime": "2026-12-10T09:00:00+08:00"}
    assert _error(api.post("calendars/primary/events", json=backwards)) == (
        400,
        "timeRangeEmpty",
    )
    no_zone = {
        "start": {"dateTime": "2026-12-10T10:00:00"},
        "end": {"dateTime": "2026-12-10T11:00:00"},
    }
    assert _error(api.post("calendars/primary/events", json=no_zone)) == (400, "required")
    recurring_without_zone = {
        "start": {"dateTime": "2026-12-10T10:00:00+08:00"},
        "end": {"dateTime": "2026-12-10T11:00:00+08:00"},
        "recurrence": ["RRULE:FREQ=DAILY"],
    }
    response = api.post("calendars/primary/events", json=recurring_without_zone)
    assert _error(response) == (400, "required")
    bad_rule = _event(recurrence=["RRULE:FREQ=SOMETIMES"])
    assert _error(api.post("calendars/primary/events", json=bad_rule)) == (400, "invalid")
    mixed = {"start": {"date": "2026-12-10"}, "end": {"dateTime": "2026-12-11T00:00:00Z"}}
    assert _error(api.post("calendars/primary/events", json=mixed)) == (400, "invalid")
    not_json = api.post(
        "calendars/primary/events", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert _error(not_json) == (400, "parseError")


def test_the_etag_changes_on_every_write_and_a_stale_if_match_gets_412(
    api: httpx.Client,
) -> None:
    first = api.post("calendars/primary/events", json=_event("appt0002aa")).json()
    patched = api.patch(
        "calendars/primary/events/appt0002aa",
        json={"summary": "Follow-up"},
        headers={"If-Match": first["etag"]},
    )
    assert patched.status_code == 200
    second = patched.json()
    assert second["etag"] != first["etag"]
    assert second["updated"] >= first["updated"]

    stale = api.patch(
        "calendars/primary/events/appt0002aa",
        json={"summary": "Lost update"},
        headers={"If-Match": first["etag"]},
    )
    assert _error(stale) == (412, "conditionNotMet")
    assert stale.json()["error"]["errors"][0]["location"] == "If-Match"
    stale_put = api.put(
        "calendars/primary/events/appt0002aa",
        json=_event(),
        headers={"If-Match": first["etag"]},
    )
    assert _error(stale_put) == (412, "conditionNotMet")
    stale_delete = api.delete(
        "calendars/primary/events/appt0002aa", headers={"If-Match": first["etag"]}
    )
    assert _error(stale_delete) == (412, "conditionNotMet")
    assert api.get("calendars/primary/events/appt0002aa").json()["summary"] == "Follow-up"

    unchanged = api.get(
        "calendars/primary/events/appt0002aa", headers={"If-None-Match": second["etag"]}
    )
    assert unchanged.status_code == 304
    put = api.put(
        "calendars/primary/events/appt0002aa",
        json=_event(hour=12),
        headers={"If-Match": second["etag"]},
    )
    assert put.status_code == 200
    assert put.headers["ETag"] == put.json()["etag"] != second["etag"]


def test_patch_merges_objects_and_update_replaces_the_resource(api: httpx.Client) -> None:
    api.post(
        "calendars/primary/events",
        json=_event(
            "appt0003aa",
            description="Room 2",
            extendedProperties={"private": {"appointmentId": "a-3", "tenant": "t1"}},
        ),
    )
    patched = api.patch(
        "calendars/primary/events/appt0003aa",
        json={"extendedProperties": {"private": {"version": "2"}}, "description": None},
    ).json()
    assert patched["extendedProperties"]["private"] == {
        "appointmentId": "a-3",
        "tenant": "t1",
        "version": "2",
    }
    assert "description" not in patched
    assert patched["sequence"] == 0  # no time change

    moved = api.patch(
        "calendars/primary/events/appt0003aa",
        json={
            "start": {"dateTime": "2026-12-11T10:00:00+08:00"},
            "end": {"dateTime": "2026-12-11T10:30:00+08:00"},
        },
    ).json()
    assert moved["sequence"] == 1
    assert moved["start"] == {"dateTime": "2026-12-11T10:00:00+08:00"}  # replaced, not merged

    replaced = api.put("calendars/primary/events/appt0003aa", json=_event(hour=15)).json()
    assert "extendedProperties" not in replaced  # update drops what it does not send
    assert replaced["id"] == "appt0003aa"
    assert replaced["creator"] == {"email": CHEN, "self": True}

    behind = api.patch("calendars/primary/events/appt0003aa", json={"sequence": 0})
    assert _error(behind) == (400, "invalid")
    missing = api.put("calendars/primary/events/appt0003aa", json={"summary": "no times"})
    assert _error(missing) == (400, "required")


def test_delete_cancels_the_event_and_deleting_it_again_is_410_deleted(
    api: httpx.Client,
) -> None:
    api.post("calendars/primary/events", json=_event("appt0004aa"))
    assert api.delete("calendars/primary/events/appt0004aa").status_code == 204
    got = api.get("calendars/primary/events/appt0004aa")
    assert got.status_code == 200
    assert got.json()["status"] == "cancelled"  # get always returns cancelled events
    assert got.json()["summary"] == "Consultation"  # the organizer's copy keeps its details
    assert _error(api.delete("calendars/primary/events/appt0004aa")) == (410, "deleted")
    listed = api.get("calendars/primary/events").json()["items"]
    assert listed == []
    shown = api.get("calendars/primary/events", params={"showDeleted": "true"}).json()["items"]
    assert [(e["id"], e["status"]) for e in shown] == [("appt0004aa", "cancelled")]
    assert _error(api.get("calendars/primary/events/nosuchevent")) == (404, "notFound")
    assert _error(api.delete("calendars/primary/events/nosuchevent")) == (404, "notFound")


def test_calendars_of_another_account_are_not_found(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    google_calendar.add_account("dr.lin@example.com")
    response = api.get("calendars/dr.lin@example.com/events")
    assert _error(response) == (404, "notFound")
    own = api.get(f"calendars/{CHEN}/events")
    assert own.status_code == 200


def test_calendar_list_names_the_primary_calendar(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    google_calendar.add_calendar(CHEN, "Clinic", time_zone="Asia/Taipei")
    body = api.get("users/me/calendarList").json()
    assert body["kind"] == "calendar#calendarList"
    primary = [e for e in body["items"] if e.get("primary")]
    assert [(e["id"], e["accessRole"], e["timeZone"]) for e in primary] == [
        (CHEN, "owner", "Asia/Taipei")
    ]
    (other,) = [e for e in body["items"] if not e.get("primary")]
    assert other["id"].endswith("@group.calendar.google.com")
    assert api.get(f"calendars/{other['id']}/events").status_code == 200
    assert api.get("calendars/primary").json()["timeZone"] == "Asia/Taipei"


def test_unknown_and_malformed_parameters_are_refused(api: httpx.Client) -> None:
    typo = api.get("calendars/primary/events", params={"singleEvent": "true"})
    assert _error(typo) == (400, "badRequest")
    not_bool = api.get("calendars/primary/events", params={"singleEvents": "yes"})
    assert _error(not_bool) == (400, "invalidParameter")
    zero = api.get("calendars/primary/events", params={"maxResults": "0"})
    assert _error(zero) == (400, "invalidParameter")
    no_offset = api.get("calendars/primary/events", params={"timeMin": "2026-12-10T00:00:00"})
    assert _error(no_offset) == (400, "badRequest")
    capitalised = api.get("calendars/primary/events", params={"singleEvents": "True"})
    assert capitalised.status_code == 200  # as Google (aiogoogle sends Python's str(True))
    standard = api.get("calendars/primary/events", params={"alt": "json", "prettyPrint": "false"})
    assert standard.status_code == 200


# ---------------------------------------------------------------------------------------------
# The practitioner's own events, and list filters


def test_the_practitioner_s_events_look_as_google_shows_them(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    chen = google_calendar.calendar(CHEN)
    busy = chen.add_event(
        datetime(2026, 12, 9, 9, tzinfo=TAIPEI), datetime(2026, 12, 9, 10, tzinfo=TAIPEI)
    )
    free = chen.add_event(
        datetime(2026, 12, 9, 12, tzinfo=TAIPEI),
        datetime(2026, 12, 9, 13, tzinfo=TAIPEI),
        free=True,
    )
    holiday = chen.add_event(date(2026, 12, 25), date(2026, 12, 26), "Christmas")
    declined = chen.add_event(
        datetime(2026, 12, 9, 15, tzinfo=TAIPEI),
        datetime(2026, 12, 9, 16, tzinfo=TAIPEI),
        "Board meeting",
        declined=True,
    )
    items = {e["id"]: e for e in api.get("calendars/primary/events").json()["items"]}
    assert "transparency" not in items[busy["id"]]
    assert items[free["id"]]["transparency"] == "transparent"
    assert items[holiday["id"]]["start"] == {"date": "2026-12-25"}
    assert items[holiday["id"]]["end"] == {"date": "2026-12-26"}
    seen = items[declined["id"]]
    assert seen["organizer"] == {"email": "organizer@example.org"}
    me = [a for a in seen["attendees"] if a.get("self")]
    assert me == [{"email": CHEN, "responseStatus": "declined", "self": True}]
    assert seen["status"] == "confirmed"  # declining does not cancel the event


def test_time_min_and_time_max_are_exclusive_bounds_on_end_and_start(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    chen = google_calendar.calendar(CHEN)
    at = lambda h: datetime(2026, 12, 9, h, tzinfo=TAIPEI)  # noqa: E731
    nine = chen.add_event(at(9), at(10))
    ten = chen.add_event(at(10), at(11))
    eleven = chen.add_event(at(11), at(12))
    params = {"timeMin": at(10).isoformat(), "timeMax": at(11).isoformat()}
    ids = [e["id"] for e in api.get("calendars/primary/events", params=params).json()["items"]]
    assert ids == [ten["id"]]  # 9-10 ends at timeMin, 11-12 starts at timeMax
    assert nine["id"] not in ids
    assert eleven["id"] not in ids
    empty = api.get(
        "calendars/primary/events",
        params={"timeMin": at(11).isoformat(), "timeMax": at(10).isoformat()},
    )
    assert _error(empty) == (400, "timeRangeEmpty")


def test_private_extended_property_finds_our_events(api: httpx.Client) -> None:
    ours = {"extendedProperties": {"private": {"clinicAppointmentId": "a-1", "clinic": "x"}}}
    api.post("calendars/primary/events", json=_event("appt0005aa", **ours))
    api.post("calendars/primary/events", json=_event("appt0006aa", hour=11))
    found = api.get(
        "calendars/primary/events",
        params={"privateExtendedProperty": ["clinicAppointmentId=a-1", "clinic=x"]},
    ).json()["items"]
    assert [e["id"] for e in found] == ["appt0005aa"]
    none = api.get(
        "calendars/primary/events", params={"privateExtendedProperty": "clinicAppointmentId=a-2"}
    ).json()["items"]
    assert none == []


def test_single_events_expands_a_series_with_its_exdate_and_exceptions(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    chen = google_calendar.calendar(CHEN)
    series = chen.add_event(
        datetime(2026, 12, 7, 9, tzinfo=TAIPEI),
        datetime(2026, 12, 7, 10, tzinfo=TAIPEI),
        "Teaching",
        recurrence=["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=Asia/Taipei:20261214T090000"],
    )
    unexpanded = api.get("calendars/primary/events").json()["items"]
    assert [(e["id"], e["recurrence"]) for e in unexpanded] == [
        (series["id"], series["recurrence"])
    ]
    expanded = api.get(
        "calendars/primary/events", params={"singleEvents": "true", "orderBy": "startTime"}
    ).json()["items"]
    assert [e["id"] for e in expanded] == [
        f"{series['id']}_20261207T010000Z",
        f"{series['id']}_20261221T010000Z",
        f"{series['id']}_20261228T010000Z",
    ]
    first = expanded[0]
    assert first["recurringEventId"] == series["id"]
    assert first["originalStartTime"] == {
        "dateTime": "2026-12-07T09:00:00+08:00",
        "timeZone": "Asia/Taipei",
    }
    assert "recurrence" not in first

    # the practitioner cancels one occurrence and moves another
    chen.delete_event(f"{series['id']}_20261221T010000Z")
    chen.move_event(
        f"{series['id']}_20261228T010000Z",
        datetime(2026, 12, 28, 14, tzinfo=TAIPEI),
        datetime(2026, 12, 28, 15, tzinfo=TAIPEI),
    )
    expanded = api.get("calendars/primary/events", params={"singleEvents": "true"}).json()["items"]
    starts = sorted(e["start"]["dateTime"] for e in expanded)
    assert starts == ["2026-12-07T09:00:00+08:00", "2026-12-28T14:00:00+08:00"]
    moved = api.get(f"calendars/primary/events/{series['id']}_20261228T010000Z").json()
    assert moved["originalStartTime"]["dateTime"] == "2026-12-28T09:00:00+08:00"
    # without singleEvents, the cancelled exception is still listed (as Google does)
    plain = api.get("calendars/primary/events").json()["items"]
    cancelled = [e for e in plain if e["status"] == "cancelled"]
    assert [set(e) for e in cancelled] == [
        {"kind", "etag", "id", "status", "recurringEventId", "originalStartTime"}
    ]
    ordered = api.get("calendars/primary/events", params={"orderBy": "startTime"})
    assert _error(ordered) == (400, "invalid")  # startTime ordering needs singleEvents


def test_all_day_series_and_its_instance_ids(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    chen = google_calendar.calendar(CHEN)
    series = chen.add_event(
        date(2026, 12, 1),
        date(2026, 12, 2),
        "On call",
        recurrence=["RRULE:FREQ=DAILY;UNTIL=20261203", "EXDATE;VALUE=DATE:20261202"],
    )
    expanded = api.get("calendars/primary/events", params={"singleEvents": "true"}).json()["items"]
    assert [(e["id"], e["start"]) for e in expanded] == [
        (f"{series['id']}_20261201", {"date": "2026-12-01"}),
        (f"{series['id']}_20261203", {"date": "2026-12-03"}),
    ]


def test_a_series_keeps_its_wall_clock_time_across_dst_and_until_takes_a_date(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    berlin = google_calendar.add_calendar(CHEN, "Berlin", time_zone="Europe/Berlin")
    series = api.post(
        f"calendars/{berlin.id}/events",
        json={
            "start": {"dateTime": "2026-10-23T09:00:00", "timeZone": "Europe/Berlin"},
            "end": {"dateTime": "2026-10-23T10:00:00", "timeZone": "Europe/Berlin"},
            "recurrence": ["RRULE:FREQ=WEEKLY;UNTIL=20261030"],
        },
    ).json()
    expanded = api.get(
        f"calendars/{berlin.id}/events", params={"singleEvents": "true", "orderBy": "startTime"}
    ).json()["items"]
    assert [(e["id"], e["start"]["dateTime"]) for e in expanded] == [
        (f"{series['id']}_20261023T070000Z", "2026-10-23T09:00:00+02:00"),
        (f"{series['id']}_20261030T080000Z", "2026-10-30T09:00:00+01:00"),
    ]


# ---------------------------------------------------------------------------------------------
# Pages and incremental sync


def test_pages_carry_next_page_token_and_only_the_last_carries_next_sync_token(
    api: httpx.Client,
) -> None:
    for n in range(5):
        api.post("calendars/primary/events", json=_event(f"page{n:04d}a", hour=8 + n))
    first = api.get("calendars/primary/events", params={"maxResults": 2}).json()
    assert len(first["items"]) == 2
    assert "nextPageToken" in first
    assert "nextSyncToken" not in first
    items, token = _full_sync(api, maxResults=2)
    assert len(items) == 5
    assert token
    changed = api.get(
        "calendars/primary/events",
        params={"maxResults": 3, "pageToken": first["nextPageToken"], "showDeleted": "true"},
    )
    assert _error(changed) == (400, "invalid")  # a page token belongs to its query


def test_a_sync_token_returns_only_what_changed_since_including_cancelled_events(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    chen = google_calendar.calendar(CHEN)
    api.post("calendars/primary/events", json=_event("appt0010aa", hour=9))
    api.post("calendars/primary/events", json=_event("appt0011aa", hour=10))
    theirs = chen.add_event(
        datetime(2026, 12, 10, 12, tzinfo=TAIPEI), datetime(2026, 12, 10, 13, tzinfo=TAIPEI)
    )
    items, token = _full_sync(api, singleEvents="true")
    assert len(items) == 3

    nothing = api.get(
        "calendars/primary/events", params={"syncToken": token, "singleEvents": "true"}
    ).json()
    assert nothing["items"] == []
    assert nothing["nextSyncToken"]

    chen.move_event(
        "appt0010aa",
        datetime(2026, 12, 10, 16, tzinfo=TAIPEI),
        datetime(2026, 12, 10, 17, tzinfo=TAIPEI),
    )
    chen.delete_event("appt0011aa")
    new = chen.add_event(
        datetime(2026, 12, 11, 9, tzinfo=TAIPEI), datetime(2026, 12, 11, 10, tzinfo=TAIPEI)
    )
    changes, token2 = _full_sync(api, syncToken=token, singleEvents="true", maxResults=1)
    by_id = {e["id"]: e for e in changes}
    assert set(by_id) == {"appt0010aa", "appt0011aa", new["id"]}
    assert theirs["id"] not in by_id
    assert by_id["appt0010aa"]["start"]["dateTime"] == "2026-12-10T16:00:00+08:00"
    assert by_id["appt0011aa"] == {
        "kind": "calendar#event",
        "etag": by_id["appt0011aa"]["etag"],
        "id": "appt0011aa",
        "status": "cancelled",
    }  # deleted events are only guaranteed their id
    again = api.get(
        "calendars/primary/events", params={"syncToken": token2, "singleEvents": "true"}
    ).json()
    assert again["items"] == []
    # an old token still works and still sees the same changes
    replay, _ = _full_sync(api, syncToken=token, singleEvents="true")
    assert {e["id"] for e in replay} == set(by_id)


def test_a_changed_series_syncs_as_its_instances_with_single_events(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    chen = google_calendar.calendar(CHEN)
    _, token = _full_sync(api, singleEvents="true")
    series = chen.add_event(
        datetime(2026, 12, 7, 9, tzinfo=TAIPEI),
        datetime(2026, 12, 7, 10, tzinfo=TAIPEI),
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
    )
    changes, token = _full_sync(api, syncToken=token, singleEvents="true")
    assert [e["recurringEventId"] for e in changes] == [series["id"]] * 3
    chen.delete_event(f"{series['id']}_20261208T010000Z")
    changes, _ = _full_sync(api, syncToken=token, singleEvents="true")
    assert [(e["id"], e["status"]) for e in changes] == [
        (f"{series['id']}_20261208T010000Z", "cancelled")
    ]
    assert changes[0]["recurringEventId"] == series["id"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeMin", "2026-12-01T00:00:00Z"),
        ("timeMax", "2026-12-31T00:00:00Z"),
        ("privateExtendedProperty", "clinicAppointmentId=a-1"),
        ("sharedExtendedProperty", "x=y"),
        ("orderBy", "updated"),
        ("q", "consultation"),
        ("iCalUID", "x@google.com"),
        ("updatedMin", "2026-12-01T00:00:00Z"),
    ],
)
def test_a_sync_token_with_a_parameter_google_refuses_alongside_it_is_400(
    api: httpx.Client, name: str, value: str
) -> None:
    _, token = _full_sync(api)
    response = api.get("calendars/primary/events", params={"syncToken": token, name: value})
    assert _error(response) == (400, "invalid")


def test_an_expired_sync_token_is_410_gone_full_sync_required(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    api.post("calendars/primary/events", json=_event("appt0012aa"))
    _, token = _full_sync(api)
    assert google_calendar.expire_sync_tokens(CHEN) == 1
    gone = api.get("calendars/primary/events", params={"syncToken": token})
    assert _error(gone) == (410, "fullSyncRequired")
    assert "status" not in gone.json()["error"]
    items, fresh = _full_sync(api)  # the client's way out: a full sync
    assert [e["id"] for e in items] == ["appt0012aa"]
    assert api.get("calendars/primary/events", params={"syncToken": fresh}).status_code == 200
    garbage = api.get("calendars/primary/events", params={"syncToken": "not-a-token"})
    assert _error(garbage) == (400, "invalid")


# ---------------------------------------------------------------------------------------------
# Push notifications


def _watch(api: httpx.Client, hook: RecordingUpstream, channel_id: str, **extra: Any) -> Any:
    body = {
        "id": channel_id,
        "type": "web_hook",
        "address": f"http://{hook.address('hook')}/google/push",
        "token": "tenant=t1&practitioner=p1",
        **extra,
    }
    return api.post("calendars/primary/events/watch", json=body)


def test_watch_answers_the_channel_and_pushes_sync_then_exists_with_google_s_headers(
    google_calendar: GoogleCalendarDouble, api: httpx.Client, hook: RecordingUpstream
) -> None:
    response = _watch(api, hook, "chan-1", params={"ttl": "3600"})
    assert response.status_code == 200
    channel = response.json()
    assert channel["kind"] == "api#channel"
    assert channel["id"] == "chan-1"
    assert channel["resourceId"] == google_calendar.calendar(CHEN).resource_id
    assert channel["resourceUri"].endswith("/calendar/v3/calendars/primary/events?alt=json")
    expiration = datetime.fromtimestamp(int(channel["expiration"]) / 1000, UTC)
    assert timedelta(minutes=59) < expiration - google_calendar.now() <= timedelta(hours=1)

    google_calendar.wait_for_pushes(1)
    api.post("calendars/primary/events", json=_event("appt0020aa"))
    google_calendar.calendar(CHEN).delete_event("appt0020aa")
    pushes = google_calendar.wait_for_pushes(3)
    assert [(p.resource_state, p.message_number, p.status) for p in pushes] == [
        ("sync", 1, 200),
        ("exists", 2, 200),
        ("exists", 3, 200),
    ]
    received = hook.seen(path_contains="/google/push")
    assert [r.method for r in received] == ["POST"] * 3
    assert all(r.body == b"" for r in received)
    headers = received[1].headers
    assert headers["x-goog-channel-id"] == "chan-1"
    assert headers["x-goog-channel-token"] == "tenant=t1&practitioner=p1"
    assert headers["x-goog-resource-id"] == channel["resourceId"]
    assert headers["x-goog-resource-uri"] == channel["resourceUri"]
    assert headers["x-goog-resource-state"] == "exists"
    assert headers["x-goog-message-number"] == "2"
    assert headers["x-goog-channel-expiration"].endswith(" GMT")  # RFC 1123
    assert headers["user-agent"].startswith("APIs-Google")


def test_stopped_and_expired_channels_push_nothing_more(
    google_calendar: GoogleCalendarDouble, api: httpx.Client, hook: RecordingUpstream
) -> None:
    one = _watch(api, hook, "chan-stop").json()
    _watch(api, hook, "chan-expire", params={"ttl": "600"})
    google_calendar.wait_for_pushes(2)
    stop = api.post("channels/stop", json={"id": "chan-stop", "resourceId": one["resourceId"]})
    assert stop.status_code == 204
    again = api.post("channels/stop", json={"id": "chan-stop", "resourceId": one["resourceId"]})
    assert _error(again) == (404, "notFound")
    google_calendar.advance(timedelta(minutes=11))  # past chan-expire's ttl
    assert [c.id for c in google_calendar.channels if c.expired] == ["chan-expire"]
    api.post("calendars/primary/events", json=_event("appt0021aa"))
    google_calendar.wait_pushes_delivered()
    assert len(google_calendar.pushes) == 2  # just the two sync messages

    _watch(api, hook, "chan-live")
    api.post("calendars/primary/events", json=_event("appt0022aa"))
    google_calendar.expire_channels("chan-live")
    api.post("calendars/primary/events", json=_event("appt0023aa"))
    google_calendar.wait_pushes_delivered()
    live = [p for p in google_calendar.pushes if p.channel_id == "chan-live"]
    assert [p.resource_state for p in live] == ["sync", "exists"]
    assert google_calendar.live_channels() == []


def test_a_channel_id_is_unique_and_the_address_https_unless_allowed(
    google_calendar: GoogleCalendarDouble, api: httpx.Client, hook: RecordingUpstream
) -> None:
    assert _watch(api, hook, "chan-dup").status_code == 200
    assert _error(_watch(api, hook, "chan-dup")) == (400, "channelIdNotUnique")
    google_calendar.allow_http_webhooks = False
    assert _error(_watch(api, hook, "chan-http")) == (400, "push.webhookUrlNotHttps")


def test_dropped_pushes_never_arrive_and_leave_a_gap_in_message_numbers(
    google_calendar: GoogleCalendarDouble, api: httpx.Client, hook: RecordingUpstream
) -> None:
    _watch(api, hook, "chan-drop")
    google_calendar.wait_for_pushes(1)
    google_calendar.drop_pushes(2)
    for n in range(3):
        api.post("calendars/primary/events", json=_event(f"drop{n:04d}a", hour=9 + n))
    pushes = google_calendar.wait_for_pushes(4)
    assert [(p.message_number, p.dropped) for p in pushes] == [
        (1, False),
        (2, True),
        (3, True),
        (4, False),
    ]
    google_calendar.wait_pushes_delivered()
    numbers = [r.headers["x-goog-message-number"] for r in hook.seen()]
    assert numbers == ["1", "4"]
    with google_calendar.pushes_dropped():
        api.post("calendars/primary/events", json=_event("drop9999a"))
    assert google_calendar.pushes[-1].dropped


def test_a_failing_receiver_is_retried_then_given_up(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    body = {"id": "chan-dead", "type": "web_hook", "address": "http://127.0.0.1:9/push"}
    assert api.post("calendars/primary/events/watch", json=body).status_code == 200
    (push,) = google_calendar.wait_for_pushes(1)
    assert push.status is None
    assert push.error
    assert push.attempts == 3


# ---------------------------------------------------------------------------------------------
# Auth: bearer tokens, PKCE, refresh, revoke


def test_every_api_call_needs_a_live_bearer_token(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    anonymous = httpx.get(google_calendar.api_base_url + "calendars/primary/events")
    assert _error(anonymous) == (401, "required")
    body = anonymous.json()["error"]
    assert body["status"] == "UNAUTHENTICATED"
    assert body["errors"][0]["location"] == "Authorization"
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    forged = httpx.get(
        google_calendar.api_base_url + "calendars/primary/events",
        headers={"Authorization": "Bearer ya29.forged"},
    )
    assert _error(forged) == (401, "authError")

    tokens = google_calendar.issue_tokens(CHEN, client, [CALENDAR_READONLY])
    auth = {"Authorization": f"Bearer {tokens.access_token}"}
    url = google_calendar.api_base_url + "calendars/primary/events"
    assert httpx.get(url, headers=auth).status_code == 200
    read_only = httpx.post(url, headers=auth, json=_event())
    assert _error(read_only) == (403, "insufficientPermissions")

    google_calendar.advance(timedelta(seconds=3600))  # access tokens live 3599 s
    assert _error(httpx.get(url, headers=auth)) == (401, "authError")


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def _authorize_url(client: OAuthClient, challenge: str, **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": REDIRECT,
        "scope": CALENDAR_EVENTS,
        "state": "st-" + secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "access_type": "offline",
        "prompt": "consent",
        **overrides,
    }
    return "https://accounts.google.com/o/oauth2/v2/auth?" + urlencode(params)


def _token(google: GoogleCalendarDouble, **form: str) -> httpx.Response:
    return httpx.post(google.token_url, data=form)


def test_authorization_code_with_pkce_gives_tokens_once(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    verifier, challenge = _pkce()
    url = _authorize_url(client, challenge)
    callback = google_calendar.consent(url, user=CHEN)
    assert callback.startswith(REDIRECT + "?")
    returned = {k: v[0] for k, v in parse_qs(urlsplit(callback).query).items()}
    assert returned["state"] == parse_qs(urlsplit(url).query)["state"][0]
    code = returned["code"]
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    missing = _token(google_calendar, **exchange)
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_grant"
    wrong = _token(google_calendar, **exchange, code_verifier=_pkce()[0])
    assert wrong.json() == {"error": "invalid_grant", "error_description": "Invalid code verifier."}
    elsewhere = _token(
        google_calendar, **{**exchange, "redirect_uri": REDIRECT + "x"}, code_verifier=verifier
    )
    assert elsewhere.json()["error"] == "redirect_uri_mismatch"
    bad_secret = _token(
        google_calendar, **{**exchange, "client_secret": "nope"}, code_verifier=verifier
    )
    assert bad_secret.status_code == 401
    assert bad_secret.json()["error"] == "invalid_client"

    granted = _token(google_calendar, **exchange, code_verifier=verifier)
    assert granted.status_code == 200
    body = granted.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3599
    assert body["scope"] == CALENDAR_EVENTS
    assert body["access_token"].startswith("ya29.")
    assert body["refresh_token"].startswith("1//")
    reused = _token(google_calendar, **exchange, code_verifier=verifier)
    assert reused.json()["error"] == "invalid_grant"

    calendar = httpx.get(
        google_calendar.api_base_url + "calendars/primary/events",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert calendar.status_code == 200


def test_a_refresh_token_comes_with_the_first_consent_and_again_only_with_prompt_consent(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    def connect(**overrides: str) -> dict[str, Any]:
        verifier, challenge = _pkce()
        callback = google_calendar.consent(
            _authorize_url(client, challenge, **overrides), user=CHEN
        )
        code = parse_qs(urlsplit(callback).query)["code"][0]
        response = _token(
            google_calendar,
            grant_type="authorization_code",
            code=code,
            code_verifier=verifier,
            redirect_uri=REDIRECT,
            client_id=client.client_id,
            client_secret=client.client_secret,
        )
        body: dict[str, Any] = response.json()
        return body

    assert "refresh_token" in connect(prompt="")
    assert "refresh_token" not in connect(prompt="")
    assert "refresh_token" in connect(prompt="consent")


@pytest.mark.parametrize(
    ("override", "complaint"),
    [
        ({"code_challenge_method": "plain"}, "code_challenge_method must be S256"),
        ({"code_challenge": ""}, "code_challenge (PKCE) is missing"),
        ({"access_type": "online"}, "access_type must be 'offline'"),
        ({"state": ""}, "state is missing"),
        ({"redirect_uri": "http://evil.example/cb"}, "redirect_uri"),
        ({"client_id": "someone-else"}, "client_id"),
        ({"response_type": "token"}, "response_type"),
        ({"scope": CALENDAR_READONLY}, "allows calendar.events.insert"),
    ],
)
def test_consent_refuses_an_authorization_url_google_or_safety_would_not_accept(
    google_calendar: GoogleCalendarDouble,
    client: OAuthClient,
    override: dict[str, str],
    complaint: str,
) -> None:
    url = _authorize_url(client, _pkce()[1], **override)
    with pytest.raises(ConsentError, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        google_calendar.consent(url, user=CHEN)


def test_consent_can_be_denied_or_granted_in_part(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    url = _authorize_url(client, _pkce()[1], scope=f"{CALENDAR_EVENTS} {CALENDAR_READONLY}")
    denied = parse_qs(urlsplit(google_calendar.consent(url, user=CHEN, deny=True)).query)
    assert denied["error"] == ["access_denied"]
    assert "code" not in denied
    partial = google_calendar.consent(url, user=CHEN, grant_scopes=[CALENDAR_EVENTS])
    assert parse_qs(urlsplit(partial).query)["scope"] == [CALENDAR_EVENTS]


def test_the_authorization_endpoint_redirects_as_the_consenting_user(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    url = _authorize_url(client, _pkce()[1]).replace(
        "https://accounts.google.com/o/oauth2/v2/auth", google_calendar.authorize_url
    )
    response = httpx.get(url + f"&login_hint={CHEN}")
    assert response.status_code == 302
    assert response.headers["location"].startswith(REDIRECT + "?state=")
    broken = httpx.get(url.replace("S256", "plain"))
    assert broken.status_code == 400


def test_refresh_gives_a_new_access_token_until_the_user_revokes(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    tokens = google_calendar.issue_tokens(CHEN, client)
    assert tokens.refresh_token is not None
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens.refresh_token,
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    google_calendar.expire_access_tokens(CHEN)
    url = google_calendar.api_base_url + "calendars/primary/events"
    old = {"Authorization": f"Bearer {tokens.access_token}"}
    assert httpx.get(url, headers=old).status_code == 401
    refreshed = _token(google_calendar, **refresh).json()
    assert "refresh_token" not in refreshed
    assert refreshed["expires_in"] == 3599
    new = {"Authorization": f"Bearer {refreshed['access_token']}"}
    assert httpx.get(url, headers=new).status_code == 200

    google_calendar.revoke_access(CHEN)  # the practitioner removes the app in their account
    assert _error(httpx.get(url, headers=new)) == (401, "authError")
    gone = _token(google_calendar, **refresh)
    assert gone.status_code == 400
    assert gone.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }


def test_the_revoke_endpoint_revokes_the_whole_grant(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    tokens = google_calendar.issue_tokens(CHEN, client)
    assert (
        httpx.post(google_calendar.revoke_url, data={"token": tokens.access_token}).status_code
        == 200
    )
    again = httpx.post(google_calendar.revoke_url, data={"token": tokens.access_token})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_token"
    refresh = _token(
        google_calendar,
        grant_type="refresh_token",
        refresh_token=tokens.refresh_token or "",
        client_id=client.client_id,
        client_secret=client.client_secret,
    )
    assert refresh.json()["error"] == "invalid_grant"


# ---------------------------------------------------------------------------------------------
# Faults


@pytest.mark.parametrize(
    ("fault", "status", "reason", "domain"),
    [
        (Fault.RATE_LIMIT_429, 429, "rateLimitExceeded", "usageLimits"),
        (Fault.RATE_LIMIT_403, 403, "rateLimitExceeded", "usageLimits"),
        (Fault.USER_RATE_LIMIT_403, 403, "userRateLimitExceeded", "usageLimits"),
        (Fault.BACKEND_500, 500, "backendError", "global"),
        (Fault.BACKEND_503, 503, "backendError", "global"),
    ],
)
def test_the_next_calls_fail_as_asked_then_succeed(
    google_calendar: GoogleCalendarDouble,
    api: httpx.Client,
    fault: Fault,
    status: int,
    reason: str,
    domain: str,
) -> None:
    google_calendar.fail_next(2, fault, method="POST")
    assert api.get("calendars/primary/events").status_code == 200  # not a POST
    for _ in range(2):
        failed = api.post("calendars/primary/events", json=_event())
        assert _error(failed) == (status, reason)
        assert failed.json()["error"]["errors"][0]["domain"] == domain
    assert api.post("calendars/primary/events", json=_event()).status_code == 200
    assert [f.fault for f in google_calendar.injected_faults] == [fault, fault]
    assert [c.status for c in google_calendar.calls] == [200, status, status, 200]


def test_a_rate_limit_per_second_refuses_the_excess(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    google_calendar.rate_limit(3, Fault.USER_RATE_LIMIT_403)
    statuses = [api.get("calendars/primary/events").status_code for _ in range(30)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses.count(403) >= 10  # 30 calls take well under 7 s even on a busy machine
    assert set(statuses) == {200, 403}
    google_calendar.rate_limit(None)
    assert api.get("calendars/primary/events").status_code == 200


# ---------------------------------------------------------------------------------------------
# The practitioner's hand, read back


def test_the_test_reads_the_calendar_and_finds_our_events(
    google_calendar: GoogleCalendarDouble, api: httpx.Client, hook: RecordingUpstream
) -> None:
    _watch(api, hook, "chan-hand")
    ours = {"extendedProperties": {"private": {"clinicAppointmentId": "a-7"}}}
    created = api.post("calendars/primary/events", json=_event("appt0030aa", **ours)).json()
    chen = google_calendar.calendar(CHEN)
    assert [e["id"] for e in chen.find(private={"clinicAppointmentId": "a-7"})] == ["appt0030aa"]
    moved = chen.move_event(
        "appt0030aa",
        datetime(2026, 12, 10, 18, tzinfo=TAIPEI),
        datetime(2026, 12, 10, 19, tzinfo=TAIPEI),
    )
    assert moved["etag"] != created["etag"]
    assert moved["sequence"] == 1
    assert moved["start"] == {"dateTime": "2026-12-10T18:00:00+08:00", "timeZone": "Asia/Taipei"}
    chen.delete_event("appt0030aa")
    assert chen.find(private={"clinicAppointmentId": "a-7"}) == []
    (cancelled,) = chen.find(private={"clinicAppointmentId": "a-7"}, include_cancelled=True)
    assert cancelled["status"] == "cancelled"
    states = [p.resource_state for p in google_calendar.wait_for_pushes(4)]
    assert states == ["sync", "exists", "exists", "exists"]


# ---------------------------------------------------------------------------------------------
# Google's own client libraries against the double


def _google_service(google: GoogleCalendarDouble, client: OAuthClient) -> Any:
    from google.oauth2.credentials import Credentials
    from googleapiclient.discovery import build

    tokens = google.issue_tokens(CHEN, client, [CALENDAR_EVENTS])
    credentials = Credentials(
        token=None,  # google-auth refreshes through the double's token endpoint first
        refresh_token=tokens.refresh_token,
        token_uri=google.token_url,
        client_id=client.client_id,
        client_secret=client.client_secret,
        scopes=[CALENDAR_EVENTS],
    )
    return build(
        "calendar",
        "v3",
        credentials=credentials,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": google.api_base_url},
    )


def test_google_api_python_client_and_google_auth_work_against_the_double(
    google_calendar: GoogleCalendarDouble, client: OAuthClient, hook: RecordingUpstream
) -> None:
    from googleapiclient.errors import HttpError

    service = _google_service(google_calendar, client)
    events = service.events()
    ours = {"extendedProperties": {"private": {"clinicAppointmentId": "a-9"}}}
    created = events.insert(calendarId="primary", body=_event("appt0040aa", **ours)).execute()
    assert created["id"] == "appt0040aa"
    with pytest.raises(HttpError) as duplicate:
        events.insert(calendarId="primary", body=_event("appt0040aa")).execute()
    assert duplicate.value.status_code == 409
    assert duplicate.value.error_details[0]["reason"] == "duplicate"

    for n in range(3):
        events.insert(calendarId="primary", body=_event(f"lib{n:04d}aa", hour=11 + n)).execute()
    request = events.list(calendarId="primary", singleEvents=True, maxResults=2)
    seen: list[str] = []
    sync_token = None
    while request is not None:
        page = request.execute()
        seen += [e["id"] for e in page["items"]]
        sync_token = page.get("nextSyncToken", sync_token)
        request = events.list_next(request, page)
    assert len(seen) == 4
    assert sync_token
    found = events.list(
        calendarId="primary", privateExtendedProperty="clinicAppointmentId=a-9"
    ).execute()
    assert [e["id"] for e in found["items"]] == ["appt0040aa"]

    stale = events.patch(calendarId="primary", eventId="appt0040aa", body={"summary": "x"})
    stale.headers["If-Match"] = '"0"'
    with pytest.raises(HttpError) as precondition:
        stale.execute()
    assert precondition.value.status_code == 412

    google_calendar.fail_next(2, Fault.RATE_LIMIT_403)  # the library retries these itself
    events.delete(calendarId="primary", eventId="appt0040aa").execute(num_retries=3)
    changes = events.list(calendarId="primary", singleEvents=True, syncToken=sync_token).execute()
    assert [(e["id"], e["status"]) for e in changes["items"]] == [("appt0040aa", "cancelled")]

    google_calendar.expire_sync_tokens()
    with pytest.raises(HttpError) as gone:
        events.list(calendarId="primary", syncToken=changes["nextSyncToken"]).execute()
    assert gone.value.status_code == 410

    channel = events.watch(
        calendarId="primary",
        body={"id": "chan-lib", "type": "web_hook", "address": f"http://{hook.address('hook')}/p"},
    ).execute()
    service.channels().stop(
        body={"id": channel["id"], "resourceId": channel["resourceId"]}
    ).execute()
    listed = service.calendarList().list()
    with pytest.raises(HttpError) as scope:  # calendar.events does not cover calendarList
        listed.execute()
    assert scope.value.status_code == 403


def test_google_auth_refreshes_on_401_and_reports_a_revoked_grant(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    from google.auth.exceptions import RefreshError

    service = _google_service(google_calendar, client)
    events = service.events()
    assert events.list(calendarId="primary").execute()["items"] == []
    google_calendar.expire_access_tokens(CHEN)  # the library still thinks its token is fresh
    assert events.list(calendarId="primary").execute()["items"] == []
    statuses = [c.status for c in google_calendar.calls]
    assert statuses == [200, 401, 200]  # refreshed after the 401 and retried

    google_calendar.revoke_access(CHEN)
    with pytest.raises(RefreshError, match="invalid_grant"):
        events.list(calendarId="primary").execute()


def test_incremental_pages_may_leave_the_sync_token_out(
    google_calendar: GoogleCalendarDouble, api: httpx.Client
) -> None:
    _, token = _full_sync(api)
    for n in range(3):
        api.post("calendars/primary/events", json=_event(f"incr{n:04d}a", hour=9 + n))
    first = api.get("calendars/primary/events", params={"syncToken": token, "maxResults": 2})
    rest = api.get(
        "calendars/primary/events",
        params={"pageToken": first.json()["nextPageToken"], "maxResults": 2},
    ).json()
    assert len(first.json()["items"]) + len(rest["items"]) == 3
    assert rest["nextSyncToken"]


def test_the_token_endpoint_can_fail_transiently(
    google_calendar: GoogleCalendarDouble, client: OAuthClient
) -> None:
    tokens = google_calendar.issue_tokens(CHEN, client)
    refresh = {
        "grant_type": "refresh_token",
        "refresh_token": tokens.refresh_token or "",
        "client_id": client.client_id,
        "client_secret": client.client_secret,
    }
    google_calendar.fail_token_endpoint(1, 503)
    assert _token(google_calendar, **refresh).status_code == 503
    assert _token(google_calendar, **refresh).status_code == 200
    assert [(c.grant_type, c.status) for c in google_calendar.token_calls] == [
        ("refresh_token", 503),
        ("refresh_token", 200),
    ]


# ---------------------------------------------------------------------------------------------
# A recipe: the calls calendar-sync makes, with plain httpx


def _event_id(appointment: uuid.UUID) -> str:
    """A deterministic Google event id for an appointment: base32hex of its 16 bytes."""
    return base64.b32hexencode(appointment.bytes).decode().lower().rstrip("=")


async def test_a_plain_httpx_client_connects_mirrors_and_syncs(
    google_calendar: GoogleCalendarDouble, client: OAuthClient, hook: RecordingUpstream
) -> None:
    # connect: PKCE + state in the authorization URL, the user consents, the code is exchanged
    verifier, challenge = _pkce()
    url = _authorize_url(client, challenge).replace(
        "https://accounts.google.com/o/oauth2/v2/auth", google_calendar.authorize_url
    )
    code = parse_qs(urlsplit(google_calendar.consent(url, user=CHEN)).query)["code"][0]
    async with httpx.AsyncClient() as oauth:
        grant = await oauth.post(
            google_calendar.token_url,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": REDIRECT,
                "client_id": client.client_id,
                "client_secret": client.client_secret,
            },
        )
    tokens = grant.json()
    async with httpx.AsyncClient(
        base_url=google_calendar.api_base_url,
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    ) as google:
        # mirror an appointment idempotently: a retried create finds its own event
        appointment = uuid.uuid4()
        event_id = _event_id(appointment)
        body = _event(
            event_id, extendedProperties={"private": {"clinicAppointmentId": str(appointment)}}
        )
        created = await google.post("calendars/primary/events", json=body)
        retried = await google.post("calendars/primary/events", json=body)
        assert (created.status_code, retried.status_code) == (200, 409)
        mine = await google.get(f"calendars/primary/events/{event_id}")
        assert mine.json()["extendedProperties"]["private"]["clinicAppointmentId"] == str(
            appointment
        )

        # watch, full sync, then read what the practitioner changed since
        watch = await google.post(
            "calendars/primary/events/watch",
            json={
                "id": str(uuid.uuid4()),
                "type": "web_hook",
                "address": f"http://{hook.address('hook')}/google/push",
                "token": "connection=c1",
            },
        )
        assert watch.status_code == 200
        listed = await google.get("calendars/primary/events", params={"singleEvents": "true"})
        sync_token = listed.json()["nextSyncToken"]
        google_calendar.calendar(CHEN).delete_event(event_id)
        pushes = await google_calendar.wait_for_pushes_async(2)
        assert [p.resource_state for p in pushes] == ["sync", "exists"]
        changes = await google.get(
            "calendars/primary/events", params={"singleEvents": "true", "syncToken": sync_token}
        )
        assert [(e["id"], e["status"]) for e in changes.json()["items"]] == [
            (event_id, "cancelled")
        ]
