"""Recurring rules through the API: a rule chooses dates, its entry's times apply on each, and
what the API stores is what the slots answer follows."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from schedules.domain.recurrence import ONE_VALUE

from .conftest import Api
from .rules_clinic import BERLIN, Clinic, body_of, open_clinic, problem, put_week, week

pytestmark = pytest.mark.integration


async def starts(clinic: Clinic, day: date) -> list[str]:
    """Local starts ("HH:MM") of P's 30-minute slots in Berlin on the date."""
    answer = await clinic.api.client.get(
        f"/practitioners/{clinic.p}/availability/slots",
        params={"date": day.isoformat(), "appointment_type_id": str(clinic.kind)},
        headers=clinic.as_("receptionist"),
    )
    assert answer.status_code == 200, answer.text
    return [
        s["local_start"][11:16]
        for s in answer.json()["slots"]
        if s["location_id"] == str(clinic.berlin)
    ]


async def add_exception(clinic: Clinic, **body: Any) -> dict[str, Any]:
    answer = await clinic.api.client.post(
        f"/practitioners/{clinic.p}/availability/exceptions",
        json={"location_id": str(clinic.berlin), **body},
        headers=clinic.as_("practitioner", clinic.p),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


async def test_the_until_date_of_a_timed_rule_is_its_last_date_for_the_slots(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    mine = clinic.as_("practitioner", clinic.p)
    assert (
        await put_week(clinic, mine, schedule=week(friday=[("09:00", "17:00")]))
    ).status_code == 200
    friday, saturday = clinic.monday + timedelta(days=4), clinic.monday + timedelta(days=5)
    last_friday, last_saturday = friday + timedelta(days=14), saturday + timedelta(days=14)
    await add_exception(
        clinic,
        rrule=f"FREQ=WEEKLY;BYDAY=FR;UNTIL={last_friday:%Y%m%d}",
        dtstart=friday.isoformat(),
        start_time="14:00",
        end_time="16:00",
    )
    await add_exception(
        clinic,
        kind="available",
        rrule=f"FREQ=WEEKLY;BYDAY=SA;UNTIL={last_saturday:%Y%m%d}",
        dtstart=saturday.isoformat(),
        start_time="10:00",
        end_time="12:00",
    )

    on_last_friday = await starts(clinic, last_friday)
    assert "13:30" in on_last_friday
    assert "16:00" in on_last_friday
    assert not {"14:00", "14:30", "15:00", "15:30"} & set(on_last_friday)
    assert await starts(clinic, last_saturday) == ["10:00", "10:30", "11:00", "11:30"]
    # The week after, both rules have ended.
    assert "14:00" in await starts(clinic, last_friday + timedelta(days=7))
    assert await starts(clinic, last_saturday + timedelta(days=7)) == []


async def test_rules_are_stored_by_date_and_forms_that_choose_times_are_refused(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, mine = schedules_api.client, clinic.as_("practitioner", clinic.p)
    path = f"/practitioners/{clinic.p}/availability/exceptions"
    day = clinic.monday
    local = await add_exception(
        clinic, rrule="FREQ=DAILY;UNTIL=20270320T080000", dtstart=day.isoformat()
    )
    assert local["rrule"] == "FREQ=DAILY;UNTIL=20270320"
    # 03:59:59Z on 21 March is still the 20th in New York.
    late = {"rrule": "RRULE:FREQ=DAILY;UNTIL=20270321T035959Z", "dtstart": day.isoformat()}
    answer = await client.post(
        path, json={**late, "location_id": str(clinic.new_york)}, headers=mine
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["rrule"] == "FREQ=DAILY;UNTIL=20270320"
    # For every location of P (Berlin and New York) that instant names two dates.
    problem(await client.post(path, json=late, headers=mine), 422, "ambiguous_until", "rrule")

    hourly = {"rrule": "FREQ=DAILY;BYHOUR=9", "dtstart": day.isoformat()}
    problem(await client.post(path, json=hourly, headers=mine), 422, "rrule_chooses_times", "rrule")
    lines = {"rrule": f"DTSTART:{day:%Y%m%d}\nRRULE:FREQ=WEEKLY", "dtstart": day.isoformat()}
    doc = problem(await client.post(path, json=lines, headers=mine), 422, "invalid_rrule", "rrule")
    assert doc["detail"] == ONE_VALUE


async def test_exceptions_skip_and_add_dates_stored_published_and_read_back(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, mine = schedules_api.client, clinic.as_("practitioner", clinic.p)
    workdays = week(thursday=[("09:00", "17:00")], friday=[("09:00", "17:00")])
    assert (await put_week(clinic, mine, schedule=workdays)).status_code == 200
    friday = clinic.monday + timedelta(days=4)
    skipped, added = friday + timedelta(days=7), friday + timedelta(days=13)  # a Thursday
    await clinic.listen()
    created = await add_exception(
        clinic,
        rrule="FREQ=WEEKLY;BYDAY=FR",
        dtstart=friday.isoformat(),
        exdates=[skipped.isoformat(), skipped.isoformat()],
        rdates=[added.isoformat()],
        start_time="14:00",
        end_time="16:00",
    )
    assert (created["exdates"], created["rdates"]) == ([skipped.isoformat()], [added.isoformat()])
    [event] = body_of(await clinic.published("exception.created"), "exception.created")
    assert (event["exdates"], event["rdates"]) == ([skipped.isoformat()], [added.isoformat()])

    assert "14:00" not in await starts(clinic, friday)
    assert "14:00" in await starts(clinic, skipped)
    assert "14:00" not in await starts(clinic, added)
    path = f"/practitioners/{clinic.p}/availability/exceptions"
    span = {"from": friday.isoformat(), "to": (friday + timedelta(days=14)).isoformat()}
    [listed] = (await client.get(path, params=span, headers=mine)).json()["items"]
    assert listed["occurs_on"] == [
        friday.isoformat(),
        added.isoformat(),
        (friday + timedelta(days=14)).isoformat(),
    ]

    # An update keeps the rule and takes the skipped date back.
    await clinic.listen()
    exception = f"{path}/{created['exception_id']}"
    changed = await client.put(exception, json={"exdates": None}, headers=mine)
    assert (changed.status_code, changed.json()["exdates"]) == (200, []), changed.text
    [updated] = body_of(await clinic.published("exception.updated"), "exception.updated")
    assert (updated["exdates"], updated["rdates"]) == ([], [added.isoformat()])
    assert "14:00" not in await starts(clinic, skipped)
    # Turned into a one-off, it drops the dates it no longer recurs on.
    one_off = await client.put(
        exception, json={"rrule": None, "dtstart": None, "date": friday.isoformat()}, headers=mine
    )
    assert (one_off.status_code, one_off.json()["rdates"]) == (200, []), one_off.text

    day = {"date": friday.isoformat()}
    problem(
        await client.post(path, json={**day, "exdates": [friday.isoformat()]}, headers=mine),
        422,
        "dates_without_rrule",
        "exdates",
    )
    weekly = {"rrule": "FREQ=WEEKLY", "dtstart": friday.isoformat()}
    early = {**weekly, "rdates": [(friday - timedelta(days=1)).isoformat()]}
    problem(await client.post(path, json=early, headers=mine), 422, "date_before_first", "rdates")
    many = [(friday + timedelta(days=n)).isoformat() for n in range(367)]
    problem(
        await client.post(path, json={**weekly, "exdates": many}, headers=mine),
        422,
        "validation_error",
        "body.exdates",
    )


async def test_a_holiday_recurs_closing_each_date_it_chooses(schedules_api: Api) -> None:
    clinic = await open_clinic(schedules_api)
    client, manager = schedules_api.client, clinic.as_("clinic_manager")
    mine = clinic.as_("practitioner", clinic.p)
    assert (
        await put_week(clinic, mine, schedule=week(friday=[("09:00", "17:00")]))
    ).status_code == 200
    friday = clinic.monday + timedelta(days=4)
    later = [friday + timedelta(days=7 * n) for n in range(4)]
    await clinic.listen()
    holiday = f"/locations/{clinic.berlin}/holidays/{friday}"
    body = {"name": "Staff day", "rrule": "FREQ=WEEKLY;COUNT=3", "exdates": [later[1].isoformat()]}
    answer = await client.put(holiday, json=body, headers=manager)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["rrule"], answer.json()["exdates"]) == (body["rrule"], body["exdates"])
    [event] = body_of(await clinic.published("holiday.changed"), "holiday.changed")
    assert (event["date"], event["rrule"], event["exdates"]) == (
        friday.isoformat(),
        "FREQ=WEEKLY;COUNT=3",
        [later[1].isoformat()],
    )

    assert [bool(await starts(clinic, day)) for day in later] == [False, True, False, True]
    span = {"from": later[1].isoformat(), "to": later[3].isoformat()}
    listed = await client.get(f"/locations/{clinic.berlin}/holidays", params=span, headers=manager)
    assert [h["occurs_on"] for h in listed.json()["items"]] == [[later[2].isoformat()]]
    calendar = await client.get(
        f"/practitioners/{clinic.p}/availability/calendar",
        params={"date": later[2].isoformat()},
        headers=mine,
    )
    [berlin] = [p for p in calendar.json()["locations"] if p["location_id"] == str(clinic.berlin)]
    assert berlin["holidays"] == ["Staff day"]

    # A booking on a later date it recurs on warns before the holiday reaches it.
    visit = await clinic.book(datetime.combine(later[3], time(10), BERLIN))
    weekly = {"name": "Staff day", "rrule": "FREQ=WEEKLY"}
    doc = problem(
        await client.put(holiday, json=weekly, headers=manager), 409, "appointments_outside_hours"
    )
    assert [a["appointment_id"] for a in doc["details"]["affected_appointments"]] == [str(visit)]


async def test_a_forced_block_recurs_at_its_local_times(schedules_api: Api) -> None:
    clinic = await open_clinic(schedules_api)
    client, admin = schedules_api.client, clinic.as_("admin")
    mine = clinic.as_("practitioner", clinic.p)
    assert (
        await put_week(clinic, mine, schedule=week(friday=[("09:00", "17:00")]))
    ).status_code == 200
    friday = clinic.monday + timedelta(days=4)
    later = [friday + timedelta(days=7 * n) for n in range(4)]
    visit = await clinic.book(datetime.combine(later[3], time(9), BERLIN))
    path = f"/practitioners/{clinic.p}/blocks"
    block = {
        "start": f"{friday}T09:00:00",
        "end": f"{friday}T10:00:00",
        "timezone": "Europe/Berlin",
        "reason": "Team meeting",
        "rrule": "FREQ=WEEKLY;BYDAY=FR",
        "exdates": [later[1].isoformat()],
    }
    doc = problem(await client.post(path, json=block, headers=admin), 409, "appointment_conflicts")
    assert [a["appointment_id"] for a in doc["details"]["conflicting_appointments"]] == [str(visit)]
    await clinic.listen()
    created = await client.post(path, params={"confirm": "true"}, json=block, headers=admin)
    assert created.status_code == 201, created.text
    assert (created.json()["rrule"], created.json()["timezone"]) == (
        block["rrule"],
        "Europe/Berlin",
    )
    [event] = body_of(await clinic.published("forced_block.changed"), "forced_block.changed")
    assert (event["rrule"], event["timezone"], event["exdates"]) == (
        block["rrule"],
        "Europe/Berlin",
        [later[1].isoformat()],
    )

    for day, blocked in zip(later[:3], (True, False, True), strict=True):
        assert ("09:00" not in await starts(clinic, day)) is blocked
        assert "10:00" in await starts(clinic, day)
    calendar = await client.get(
        f"/practitioners/{clinic.p}/availability/calendar",
        params={"date": later[2].isoformat()},
        headers=mine,
    )
    [shown] = calendar.json()["blocks"]
    assert (shown["recurring"], shown["start"]) == (
        True,
        datetime.combine(later[2], time(9), BERLIN)
        .astimezone(UTC)
        .isoformat()
        .replace("+00:00", "Z"),
    )

    problem(
        await client.post(
            path,
            json={
                **block,
                "timezone": None,
                "start": f"{friday}T08:00:00Z",
                "end": f"{friday}T09:00:00Z",
            },
            headers=admin,
        ),
        422,
        "timezone_required",
        "timezone",
    )
    long = {**block, "end": f"{friday + timedelta(days=8)}T09:00:00"}
    problem(await client.post(path, json=long, headers=admin), 422, "block_too_long", "end")
