"""The rules API over HTTP on a migrated database and the real broker: every change is stored,
role-checked and published on `schedules.availability.v1`; a change that would leave booked
appointments outside availability answers 409 until confirmed, then marks them."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from itertools import pairwise
from uuid import UUID, uuid4

import pytest

from schedules.store import tables

from .conftest import Api
from .rules_clinic import (
    MARKED,
    body_of,
    open_clinic,
    problem,
    put_week,
    week,
)

pytestmark = pytest.mark.integration


async def test_a_weekly_schedule_is_replaced_from_a_date_read_back_by_weekday_and_published(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, mine = schedules_api.client, clinic.as_("practitioner", clinic.p)
    first, later, until = (
        clinic.monday,
        clinic.monday + timedelta(days=14),
        clinic.monday + timedelta(days=27),
    )
    await clinic.listen()
    answer = await put_week(
        clinic,
        mine,
        effective_from=first.isoformat(),
        schedule=week(
            monday=[("14:00", "18:00"), ("09:00", "12:00")],
            sunday=[("20:00", "24:00")],
        ),
    )
    assert answer.status_code == 200, answer.text
    [template] = answer.json()["templates"]
    assert template["schedule"]["monday"] == [
        {"start_time": "09:00", "end_time": "12:00", "max_parallel_sessions": 1},
        {"start_time": "14:00", "end_time": "18:00", "max_parallel_sessions": 1},
    ]
    assert template["schedule"]["sunday"][0]["end_time"] == "24:00"
    assert template["schedule"]["tuesday"] == []
    [stored] = await clinic.rows(tables.weekly_templates)
    assert {
        "weekday": 6,
        "start": "20:00",
        "end": "00:00",
        "max_parallel_sessions": 1,
    } in stored.intervals
    [event] = body_of(
        await clinic.published("weekly_schedule.replaced"), "weekly_schedule.replaced"
    )
    assert (event["practitioner_id"], event["location_id"]) == (str(clinic.p), str(clinic.berlin))
    assert event["effective_from"] == first.isoformat()
    assert event["effective_to"] is None
    assert {
        "weekday": "monday",
        "start_time": "09:00:00",
        "end_time": "12:00:00",
        "max_parallel_sessions": 1,
    } in event["intervals"]

    # A temporary schedule for two weeks: the first template ends the day before, and keeps
    # its days after them (a copy), so nothing ever overlaps (the EXCLUDE constraint holds).
    await clinic.listen()
    answer = await put_week(
        clinic,
        clinic.as_("clinic_manager"),
        effective_from=later.isoformat(),
        effective_to=until.isoformat(),
        schedule=week(tuesday=[("08:00", "13:00")]),
    )
    assert answer.status_code == 200, answer.text
    new, rest = answer.json()["templates"]
    assert (new["effective_from"], new["effective_to"]) == (later.isoformat(), until.isoformat())
    assert (rest["effective_from"], rest["effective_to"]) == (
        (until + timedelta(days=1)).isoformat(),
        None,
    )
    assert rest["schedule"]["monday"] == template["schedule"]["monday"]
    events = body_of(
        await clinic.published("weekly_schedule.replaced", "weekly_schedule.replaced"),
        "weekly_schedule.replaced",
    )
    assert sorted(e["effective_from"] for e in events) == [
        later.isoformat(),
        rest["effective_from"],
    ]

    read = await client.get(f"/practitioners/{clinic.p}/availability/default", headers=mine)
    assert read.status_code == 200, read.text
    spans = [(t["effective_from"], t["effective_to"]) for t in read.json()["templates"]]
    assert spans == [
        (first.isoformat(), (later - timedelta(days=1)).isoformat()),
        (later.isoformat(), until.isoformat()),
        (rest["effective_from"], None),
    ]
    on_day = await client.get(
        f"/practitioners/{clinic.p}/availability/default",
        params={"on": (later + timedelta(days=1)).isoformat()},
        headers=mine,
    )
    [that_day] = on_day.json()["templates"]
    assert that_day["id"] == new["id"]
    assert [(i["start_time"], i["end_time"]) for i in that_day["on"]["intervals"]] == [
        ("08:00", "13:00")
    ]
    # Replacing the same range again replaces, never collides.
    again = await put_week(clinic, mine, effective_from=later.isoformat(), schedule=week())
    assert again.status_code == 200, again.text
    assert len(await clinic.rows(tables.weekly_templates)) == 2


async def test_a_new_york_template_read_back_on_the_spring_dst_day_covers_real_time(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    headers = clinic.as_("practitioner", clinic.p)
    answer = await put_week(
        clinic,
        headers,
        location_id=str(clinic.new_york),
        effective_from="2026-03-01",
        effective_to="2026-03-31",
        schedule=week(sunday=[("01:00", "04:00"), ("09:00", "17:00")]),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["templates"][0]["timezone"] == "America/New_York"

    async def day(on: str) -> list[tuple[str, str, str, str]]:
        read = await schedules_api.client.get(
            f"/practitioners/{clinic.p}/availability/default",
            params={"on": on, "location_id": str(clinic.new_york)},
            headers=headers,
        )
        assert read.status_code == 200, read.text
        [template] = read.json()["templates"]
        return [
            (i["start_time"], i["end_time"], i["start"], i["end"])
            for i in template["on"]["intervals"]
        ]

    # 2026-03-08: clocks jump from 02:00 to 03:00; 01:00-04:00 is two real hours, and the
    # afternoon is on daylight time (UTC-4). The wall-clock times read back unchanged.
    assert await day("2026-03-08") == [
        ("01:00", "04:00", "2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z"),
        ("09:00", "17:00", "2026-03-08T13:00:00Z", "2026-03-08T21:00:00Z"),
    ]
    # A week earlier it was standard time (UTC-5).
    assert (await day("2026-03-01"))[1][2:] == ("2026-03-01T14:00:00Z", "2026-03-01T22:00:00Z")


async def test_weekly_schedule_input_and_access_rules_answer_with_problems(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    mine, manager = clinic.as_("practitioner", clinic.p), clinic.as_("clinic_manager")
    overlapping = await put_week(
        clinic, mine, schedule=week(monday=[("09:00", "12:00"), ("10:00", "14:00")])
    )
    doc = problem(overlapping, 422, "overlapping_intervals", "schedule.monday")
    assert doc["details"]["conflicting_intervals"] == ["09:00-12:00", "10:00-14:00"]
    backwards = await put_week(clinic, mine, schedule=week(friday=[("12:00", "09:00")]))
    problem(backwards, 422, "validation_error", "body.schedule.friday.0.end_time")
    midnight = await put_week(clinic, mine, schedule=week(friday=[("20:00", "00:00")]))
    problem(midnight, 422, "validation_error", "body.schedule.friday.0.end_time")
    bad_day = await put_week(clinic, mine, schedule=week(funday=[("09:00", "10:00")]))
    assert bad_day.status_code == 422
    bad_date = await put_week(clinic, mine, effective_from="2026-13-01")
    problem(bad_date, 422, "validation_error", "body.effective_from")
    reversed_range = await put_week(
        clinic, mine, effective_from="2030-02-01", effective_to="2030-01-31"
    )
    problem(reversed_range, 422, "end_before_start", "effective_to")
    problem(
        await put_week(clinic, mine, location_id=str(uuid4())),
        422,
        "unknown_location",
        "location_id",
    )
    problem(await put_week(clinic, mine, location_id=None), 422, "location_required", "location_id")
    problem(await put_week(clinic, manager, who=uuid4()), 404, "practitioner_not_found")
    # A practitioner edits only their own; a hygienist likewise; the front desk only reads.
    problem(await put_week(clinic, mine, who=clinic.q), 403, "missing_permission")
    hygienist = clinic.as_("hygienist", clinic.h)
    problem(await put_week(clinic, hygienist, who=clinic.p), 403, "missing_permission")
    assert (await put_week(clinic, hygienist, who=clinic.h)).status_code == 200
    desk = clinic.as_("receptionist")
    problem(await put_week(clinic, desk, who=clinic.h), 403, "missing_permission")
    read = await schedules_api.client.get(
        f"/practitioners/{clinic.h}/availability/default", headers=desk
    )
    assert read.status_code == 200
    assert len(read.json()["templates"]) == 1
    others = await schedules_api.client.get(
        f"/practitioners/{clinic.q}/availability/default", headers=hygienist
    )
    problem(others, 403, "missing_permission")
    assert len(await clinic.rows(tables.weekly_templates)) == 1  # nothing refused was written


async def test_shrinking_the_schedule_warns_then_confirmed_marks_the_appointments_and_publishes(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    mine = clinic.as_("practitioner", clinic.p)
    assert (
        await put_week(clinic, mine, schedule=week(monday=[("09:00", "17:00")]))
    ).status_code == 200
    for who in (clinic.q,):
        await put_week(
            clinic,
            clinic.as_("clinic_manager"),
            who=who,
            schedule=week(monday=[("09:00", "17:00")]),
        )
    kept = await clinic.book(clinic.local(10))
    lost = await clinic.book(clinic.local(15))
    await clinic.book(clinic.local(15), who=clinic.q)  # someone else's: not this change's business

    shorter = week(monday=[("09:00", "12:00")])
    warned = await put_week(clinic, mine, schedule=shorter)
    doc = problem(warned, 409, "appointments_outside_hours")
    assert doc["warning"] == "appointments_outside_hours"
    [listed] = doc["details"]["affected_appointments"]
    assert listed["appointment_id"] == str(lost)
    assert str(kept) not in warned.text
    assert datetime.fromisoformat(listed["start"]) == clinic.local(15)
    assert (listed["date"], listed["time"], listed["timezone"]) == (
        clinic.monday.isoformat(),
        "15:00-15:30",
        "Europe/Berlin",
    )
    [template] = await clinic.rows(
        tables.weekly_templates, tables.weekly_templates.c.practitioner_id == clinic.p
    )
    assert template.intervals[0]["end"] == "17:00"  # the refused change left nothing behind
    assert await clinic.rows(tables.outside_hours_marks) == []

    await clinic.listen()
    confirmed = await put_week(clinic, mine, schedule=shorter, confirm=True)
    assert confirmed.status_code == 200, confirmed.text
    [mark] = await clinic.rows(tables.outside_hours_marks)
    assert (mark.appointment_id, mark.cause) == (lost, "weekly_schedule")
    assert mark.start_at == clinic.local(15)
    assert mark.end_at == clinic.local(15, 30)
    assert mark.rule_id == UUID(confirmed.json()["templates"][0]["id"])
    messages = await clinic.published("weekly_schedule.replaced", MARKED)
    [marked] = body_of(messages, MARKED)
    assert (marked["practitioner_id"], marked["cause"]) == (str(clinic.p), "weekly_schedule")
    assert [a["appointment_id"] for a in marked["appointments"]] == [str(lost)]
    assert all(m.key == str(clinic.p) for m in messages)
    # Nothing more is lost by saying the same again: no warning.
    assert (await put_week(clinic, mine, schedule=shorter)).status_code == 200


async def test_clinic_hours_are_replaced_read_back_and_published_with_their_input_rules(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, manager = schedules_api.client, clinic.as_("clinic_manager")
    path = f"/locations/{clinic.berlin}/clinic-hours"
    empty = await client.get(path, headers=clinic.as_("practitioner", clinic.p))
    assert empty.status_code == 200, empty.text
    assert (empty.json()["configured"], empty.json()["timezone"]) == (False, "Europe/Berlin")
    problem(
        await client.get(f"/locations/{uuid4()}/clinic-hours", headers=manager),
        404,
        "location_not_found",
    )

    override_day, closed_day = clinic.monday + timedelta(days=7), clinic.monday + timedelta(days=8)
    document = {
        "hours": week(monday=[("08:00", "20:00")], saturday=[("09:00", "13:00")]),
        "date_overrides": [
            {
                "date": override_day.isoformat(),
                "intervals": [{"start_time": "08:00", "end_time": "12:00"}],
            }
        ],
        "closed_dates": [closed_day.isoformat()],
    }
    await clinic.listen()
    answer = await client.put(path, json=document, headers=manager)
    assert answer.status_code == 200, answer.text
    read = (await client.get(path, headers=manager)).json()
    assert read["configured"] is True
    assert read["hours"]["monday"] == [{"start_time": "08:00", "end_time": "20:00"}]
    assert read["hours"]["sunday"] == []
    assert read["date_overrides"][0]["date"] == override_day.isoformat()
    assert read["closed_dates"] == [closed_day.isoformat()]
    messages = await clinic.published("clinic_hours.changed")
    [event] = body_of(messages, "clinic_hours.changed")
    assert messages[0].key == str(clinic.berlin)
    assert event["closed_dates"] == [closed_day.isoformat()]
    assert {"weekday": "saturday", "start_time": "09:00:00", "end_time": "13:00:00"} in event[
        "hours"
    ]

    clash = {**document, "hours": week(monday=[("08:00", "12:00"), ("11:00", "20:00")])}
    problem(
        await client.put(path, json=clash, headers=manager),
        422,
        "overlapping_intervals",
        "hours.monday",
    )
    both = {**document, "closed_dates": [override_day.isoformat()]}
    problem(
        await client.put(path, json=both, headers=manager),
        422,
        "closed_and_overridden",
        "closed_dates",
    )
    typo = {**document, "opening": []}
    problem(
        await client.put(path, json=typo, headers=manager), 422, "validation_error", "body.opening"
    )
    refused = await client.put(path, json=document, headers=clinic.as_("practitioner", clinic.p))
    problem(refused, 403, "missing_permission")
    problem(
        await client.put(f"/locations/{uuid4()}/clinic-hours", json=document, headers=manager),
        404,
        "location_not_found",
    )


async def test_closing_a_location_warns_about_every_practitioners_appointments_there(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, manager = schedules_api.client, clinic.as_("clinic_manager")
    for who in (clinic.p, clinic.q):
        answer = await put_week(
            clinic,
            manager,
            who=who,
            schedule=week(monday=[("09:00", "17:00")], tuesday=[("09:00", "17:00")]),
        )
        assert answer.status_code == 200, answer.text
    p_visit, q_visit = (
        await clinic.book(clinic.local(10)),
        await clinic.book(clinic.local(11), who=clinic.q),
    )
    tuesday_visit = await clinic.book(clinic.local(16, days=1), who=clinic.q)

    holiday = f"/locations/{clinic.berlin}/holidays/{clinic.monday.isoformat()}"
    warned = await client.put(holiday, json={"name": "Whit Monday"}, headers=manager)
    doc = problem(warned, 409, "appointments_outside_hours")
    listed = doc["details"]["affected_appointments"]
    assert [(a["appointment_id"], a["practitioner_id"]) for a in listed] == [
        (str(p_visit), str(clinic.p)),
        (str(q_visit), str(clinic.q)),
    ]
    problem(await client.get(holiday, headers=manager), 404, "holiday_not_found")

    await clinic.listen()
    confirmed = await client.put(
        holiday, params={"confirm": "true"}, json={"name": "Whit Monday"}, headers=manager
    )
    assert confirmed.status_code == 200, confirmed.text
    messages = await clinic.published("holiday.changed", MARKED, MARKED)
    marked = {m["practitioner_id"]: m for m in body_of(messages, MARKED)}
    assert set(marked) == {str(clinic.p), str(clinic.q)}
    assert marked[str(clinic.q)]["cause"] == "holiday"
    assert [a["appointment_id"] for a in marked[str(clinic.q)]["appointments"]] == [str(q_visit)]
    assert {m.appointment_id for m in await clinic.rows(tables.outside_hours_marks)} == {
        p_visit,
        q_visit,
    }
    [holiday_event] = body_of(messages, "holiday.changed")
    assert (holiday_event["date"], holiday_event["removed"]) == (clinic.monday.isoformat(), False)

    # Clinic hours that end at 15:00 on Tuesdays leave Q's 16:00 visit outside.
    hours = {"hours": week(monday=[("08:00", "20:00")], tuesday=[("08:00", "15:00")])}
    path = f"/locations/{clinic.berlin}/clinic-hours"
    doc = problem(
        await client.put(path, json=hours, headers=manager), 409, "appointments_outside_hours"
    )
    assert [a["appointment_id"] for a in doc["details"]["affected_appointments"]] == [
        str(tuesday_visit)
    ]
    assert (
        await client.put(path, params={"confirm": "true"}, json=hours, headers=manager)
    ).status_code == 200
    [mark] = await clinic.rows(
        tables.outside_hours_marks, tables.outside_hours_marks.c.appointment_id == tuesday_visit
    )
    assert mark.cause == "clinic_hours"

    listed_days = await client.get(
        f"/locations/{clinic.berlin}/holidays", headers=clinic.as_("receptionist")
    )
    assert [h["name"] for h in listed_days.json()["items"]] == ["Whit Monday"]
    await clinic.listen()
    assert (await client.delete(holiday, headers=manager)).status_code == 204
    [removed] = body_of(await clinic.published("holiday.changed"), "holiday.changed")
    assert removed["removed"] is True
    problem(await client.delete(holiday, headers=manager), 404, "holiday_not_found")
    problem(
        await client.put(
            f"/locations/{clinic.berlin}/holidays/2030-02-30", json={"name": "x"}, headers=manager
        ),
        422,
        "validation_error",
        "path.on",
    )
    problem(
        await client.put(holiday, json={"name": "x"}, headers=clinic.as_("hygienist", clinic.h)),
        403,
        "missing_permission",
    )


async def test_exceptions_are_created_listed_changed_and_deleted_with_conflict_warnings(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, mine = schedules_api.client, clinic.as_("practitioner", clinic.p)
    path = f"/practitioners/{clinic.p}/availability/exceptions"
    assert (
        await put_week(clinic, mine, schedule=week(monday=[("09:00", "17:00")]))
    ).status_code == 200
    visit = await clinic.book(clinic.local(10))
    day = clinic.monday.isoformat()

    # A block restricted to another appointment type leaves this visit's type untouched.
    await clinic.listen()
    other = {
        "date": day,
        "start_time": "09:00",
        "end_time": "11:00",
        "appointment_type_id": str(clinic.other_kind),
    }
    created = await client.post(path, json=other, headers=mine)
    assert created.status_code == 201, created.text
    [event] = body_of(await clinic.published("exception.created"), "exception.created")
    assert (event["kind"], event["all_day"], event["date"]) == ("blocked", False, day)
    assert event["appointment_type_id"] == str(clinic.other_kind)

    # A block for every type would leave it outside: 409 until confirmed.
    block = {"date": day, "start_time": "09:00", "end_time": "11:00", "reason": "Training"}
    doc = problem(await client.post(path, json=block, headers=mine), 409, "appointment_conflicts")
    [listed] = doc["details"]["conflicting_appointments"]
    assert (listed["appointment_id"], listed["time"]) == (str(visit), "10:00-10:30")
    assert len(await clinic.rows(tables.exceptions)) == 1
    await clinic.listen()
    confirmed = await client.post(path, params={"confirm": "true"}, json=block, headers=mine)
    assert confirmed.status_code == 201, confirmed.text
    exception_id = confirmed.json()["exception_id"]
    [marked] = body_of(await clinic.published("exception.created", MARKED), MARKED)
    assert (marked["cause"], marked["rule_id"]) == ("exception", exception_id)
    [mark] = await clinic.rows(tables.outside_hours_marks)
    assert (mark.appointment_id, mark.rule_id) == (visit, UUID(exception_id))

    # Partial update (as the seed's PUT): only the times change; then all day, to 24:00.
    await clinic.listen()
    moved = await client.put(
        f"{path}/{exception_id}", json={"start_time": "15:00", "end_time": "24:00"}, headers=mine
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["date"], moved.json()["end_time"], moved.json()["reason"]) == (
        day,
        "24:00",
        "Training",
    )
    [updated] = body_of(await clinic.published("exception.updated"), "exception.updated")
    assert updated["end_time"] == "23:59:59.999999"  # the contracts' last instant of the day
    problem(
        await client.put(f"{path}/{exception_id}", json={"end_time": "14:00"}, headers=mine),
        422,
        "validation_error",
        "body.end_time",
    )

    # Recurring, extra-available Saturdays, listed with the dates they occur on.
    saturday = clinic.monday + timedelta(days=5)
    recurring = {
        "kind": "available",
        "rrule": "FREQ=WEEKLY;BYDAY=SA;COUNT=3",
        "dtstart": saturday.isoformat(),
        "start_time": "10:00",
        "end_time": "14:00",
    }
    assert (await client.post(path, json=recurring, headers=mine)).status_code == 201
    window = {
        "from": clinic.monday.isoformat(),
        "to": (clinic.monday + timedelta(days=13)).isoformat(),
    }
    listed_now = await client.get(path, params=window, headers=clinic.as_("receptionist"))
    assert listed_now.status_code == 200, listed_now.text
    occurs = {e["rrule"] or e["date"]: e["occurs_on"] for e in listed_now.json()["items"]}
    assert occurs[recurring["rrule"]] == [
        saturday.isoformat(),
        (saturday + timedelta(days=7)).isoformat(),
    ]

    # Invalid rules name their field.
    bad = {"rrule": "FREQ=WEEKLY;BYDAY=XX", "dtstart": day}
    problem(await client.post(path, json=bad, headers=mine), 422, "invalid_rrule", "rrule")
    problem(
        await client.post(path, json={"rrule": "FREQ=HOURLY", "dtstart": day}, headers=mine),
        422,
        "unsupported_frequency",
        "rrule",
    )
    problem(
        await client.post(path, json={"rrule": "FREQ=DAILY"}, headers=mine),
        422,
        "dtstart_with_rrule",
        "dtstart",
    )
    problem(
        await client.post(
            path, json={"date": day, "rrule": "FREQ=DAILY", "dtstart": day}, headers=mine
        ),
        422,
        "date_or_rrule",
        "rrule",
    )
    problem(
        await client.post(path, json={"date": day, "start_time": "10:00"}, headers=mine),
        422,
        "times_pair",
        "end_time",
    )
    problem(
        await client.post(path, json={"date": "2030-02-30"}, headers=mine),
        422,
        "validation_error",
        "body.date",
    )
    problem(
        await client.post(
            path, json={"date": day, "appointment_type_id": str(uuid4())}, headers=mine
        ),
        422,
        "unknown_appointment_type",
        "appointment_type_id",
    )
    problem(
        await client.get(path, params={"from": day, "to": "2099-01-01"}, headers=mine),
        422,
        "invalid_range",
        "to",
    )
    # Only their own; a hygienist cannot write others'; unknown practitioner → 404.
    hygienist = clinic.as_("hygienist", clinic.h)
    problem(
        await client.post(path, json={"date": day}, headers=hygienist), 403, "missing_permission"
    )
    problem(
        await client.post(
            f"/practitioners/{uuid4()}/availability/exceptions",
            json={"date": day},
            headers=clinic.as_("clinic_manager"),
        ),
        404,
        "practitioner_not_found",
    )

    await clinic.listen()
    assert (await client.delete(f"{path}/{exception_id}", headers=mine)).status_code == 204
    [deleted] = body_of(await clinic.published("exception.deleted"), "exception.deleted")
    assert deleted == {"exception_id": exception_id, "practitioner_id": str(clinic.p)}
    problem(await client.delete(f"{path}/{exception_id}", headers=mine), 404, "exception_not_found")


async def test_leave_is_requested_approved_with_a_warning_and_cancelled_through_legal_steps(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client = schedules_api.client
    mine, manager = clinic.as_("practitioner", clinic.p), clinic.as_("clinic_manager")
    assert (
        await put_week(clinic, mine, schedule=week(monday=[("09:00", "17:00")]))
    ).status_code == 200
    visit = await clinic.book(clinic.local(10))
    whole_day = {
        "timezone": "Europe/Berlin",
        "start": f"{clinic.monday.isoformat()}T00:00",
        "end": f"{(clinic.monday + timedelta(days=1)).isoformat()}T00:00",
        "reason": "Conference",
    }
    await clinic.listen()
    requested = await client.post(f"/practitioners/{clinic.p}/leave", json=whole_day, headers=mine)
    assert requested.status_code == 201, requested.text
    leave = requested.json()
    assert leave["status"] == "requested"
    assert datetime.fromisoformat(leave["start"]) == clinic.local(0)
    [event] = body_of(await clinic.published("leave.requested"), "leave.requested")
    assert event["leave_id"] == leave["leave_id"]
    assert event["requested_by"] == leave["requested_by"]

    approve = f"/leave/{leave['leave_id']}/approve"
    problem(await client.post(approve, headers=mine), 403, "missing_permission")
    doc = problem(await client.post(approve, headers=manager), 409, "appointment_conflicts")
    assert [a["appointment_id"] for a in doc["details"]["conflicting_appointments"]] == [str(visit)]
    await clinic.listen()
    approved = await client.post(approve, params={"confirm": "true"}, headers=manager)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    messages = await clinic.published("leave.approved", MARKED)
    assert body_of(messages, MARKED)[0]["cause"] == "leave"
    [mark] = await clinic.rows(tables.outside_hours_marks)
    assert (mark.appointment_id, mark.rule_id) == (visit, UUID(leave["leave_id"]))
    problem(await client.post(approve, headers=manager), 409, "illegal_transition")

    queue = await client.get("/leave", params={"status": "approved"}, headers=manager)
    assert [item["leave_id"] for item in queue.json()["items"]] == [leave["leave_id"]]
    await clinic.listen()
    cancelled = await client.post(f"/leave/{leave['leave_id']}/cancel", headers=mine)
    assert cancelled.json()["status"] == "cancelled"
    [event] = body_of(await clinic.published("leave.cancelled"), "leave.cancelled")
    assert event["cancelled_by"] == leave["requested_by"]
    problem(
        await client.post(f"/leave/{leave['leave_id']}/reject", headers=manager),
        409,
        "illegal_transition",
    )

    # A manager files leave for Q and rejects it; P sees only their own leave.
    for_q = {"start": "2031-01-06T08:00:00Z", "end": "2031-01-06T12:00:00Z"}
    filed = await client.post(f"/practitioners/{clinic.q}/leave", json=for_q, headers=manager)
    assert filed.status_code == 201, filed.text
    rejected = await client.post(f"/leave/{filed.json()['leave_id']}/reject", headers=manager)
    assert rejected.json()["status"] == "rejected"
    own = await client.get("/leave", headers=mine)
    assert [item["practitioner_id"] for item in own.json()["items"]] == [str(clinic.p)]
    problem(
        await client.get(f"/leave/{filed.json()['leave_id']}", headers=mine), 404, "leave_not_found"
    )
    problem(
        await client.get(f"/practitioners/{clinic.q}/leave", headers=mine),
        403,
        "missing_permission",
    )

    # Input and access rules.
    leave_of_p = f"/practitioners/{clinic.p}/leave"
    problem(
        await client.post(f"/practitioners/{clinic.q}/leave", json=for_q, headers=mine),
        403,
        "missing_permission",
    )
    naive = {"start": "2031-01-06T08:00", "end": "2031-01-06T12:00"}
    problem(
        await client.post(leave_of_p, json=naive, headers=mine),
        422,
        "validation_error",
        "body.start",
    )
    unknown_zone = {**naive, "timezone": "Mars/Olympus"}
    problem(
        await client.post(leave_of_p, json=unknown_zone, headers=mine),
        422,
        "validation_error",
        "body.timezone",
    )
    backwards = {"start": "2031-01-06T12:00:00Z", "end": "2031-01-06T08:00:00Z"}
    problem(
        await client.post(leave_of_p, json=backwards, headers=mine),
        422,
        "validation_error",
        "body.end",
    )
    problem(
        await client.post(
            leave_of_p,
            json={"start": "2031-13-01T00:00:00Z", "end": "2031-01-06T08:00:00Z"},
            headers=mine,
        ),
        422,
        "validation_error",
        "body.start",
    )
    skipped = {"timezone": "Europe/Berlin", "start": "2031-03-30T02:30", "end": "2031-03-30T04:00"}
    problem(
        await client.post(leave_of_p, json=skipped, headers=mine),
        422,
        "validation_error",
        "body.start",
    )
    problem(
        await client.post(f"/practitioners/{uuid4()}/leave", json=for_q, headers=manager),
        404,
        "practitioner_not_found",
    )
    problem(await client.post(f"/leave/{uuid4()}/approve", headers=manager), 404, "leave_not_found")


async def test_forced_blocks_are_admin_only_warn_even_in_an_emergency_and_lift(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    client, admin = schedules_api.client, clinic.as_("admin")
    mine = clinic.as_("practitioner", clinic.p)
    assert (
        await put_week(clinic, mine, schedule=week(monday=[("09:00", "17:00")]))
    ).status_code == 200
    visit = await clinic.book(clinic.local(14))
    path = f"/practitioners/{clinic.p}/blocks"
    block = {
        "kind": "emergency",
        "start": clinic.local(13).isoformat(),
        "end": clinic.local(17).isoformat(),
        "reason": "Sick",
    }
    for role in ("clinic_manager", "practitioner", "receptionist"):
        refused = await client.post(path, json=block, headers=clinic.as_(role, clinic.p))
        problem(refused, 403, "missing_permission")
    doc = problem(await client.post(path, json=block, headers=admin), 409, "appointment_conflicts")
    assert [a["appointment_id"] for a in doc["details"]["conflicting_appointments"]] == [str(visit)]
    assert await clinic.rows(tables.forced_blocks) == []

    await clinic.listen()
    created = await client.post(path, params={"confirm": "true"}, json=block, headers=admin)
    assert created.status_code == 201, created.text
    block_id = created.json()["block_id"]
    messages = await clinic.published("forced_block.changed", MARKED)
    [changed] = body_of(messages, "forced_block.changed")
    assert (changed["kind"], changed["removed"], changed["block_id"]) == (
        "emergency",
        False,
        block_id,
    )
    assert body_of(messages, MARKED)[0]["cause"] == "forced_block"
    listed = await client.get(path, headers=mine)
    assert [b["block_id"] for b in listed.json()["items"]] == [block_id]

    problem(
        await client.delete(f"/blocks/{block_id}", headers=clinic.as_("clinic_manager")),
        403,
        "missing_permission",
    )
    await clinic.listen()
    assert (await client.delete(f"/blocks/{block_id}", headers=admin)).status_code == 204
    [lifted] = body_of(await clinic.published("forced_block.changed"), "forced_block.changed")
    assert lifted["removed"] is True
    assert (await client.get(path, headers=mine)).json()["items"] == []
    history = await client.get(path, params={"include_lifted": "true"}, headers=mine)
    assert history.json()["items"][0]["lifted_at"] is not None
    problem(await client.delete(f"/blocks/{uuid4()}", headers=admin), 404, "block_not_found")
    problem(
        await client.post(path, json={**block, "kind": "holiday"}, headers=admin),
        422,
        "validation_error",
        "body.kind",
    )
    problem(
        await client.post(f"/practitioners/{uuid4()}/blocks", json=block, headers=admin),
        404,
        "practitioner_not_found",
    )


async def test_concurrent_replacements_of_one_schedule_queue_instead_of_colliding(
    schedules_api: Api,
) -> None:
    clinic = await open_clinic(schedules_api)
    mine = clinic.as_("practitioner", clinic.p)
    starts = [clinic.monday + timedelta(days=n) for n in range(6)]
    answers = await asyncio.gather(
        *(
            put_week(
                clinic,
                mine,
                effective_from=day.isoformat(),
                schedule=week(monday=[("09:00", "10:00")]),
            )
            for day in starts
        )
    )
    assert [a.status_code for a in answers] == [200] * len(starts), [a.text for a in answers]
    stored = sorted(
        (row.effective_from, row.effective_to) for row in await clinic.rows(tables.weekly_templates)
    )
    # Whatever order they ran in, the ranges tile the dates without overlapping.
    for (_, end), (start, _) in pairwise(stored):
        assert end is not None
        assert end < start
    assert stored[-1][1] is None
