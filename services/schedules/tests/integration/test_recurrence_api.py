"""Recurring rules through the API: a rule chooses dates, its entry's times apply on each, and
what the API stores is what the slots answer follows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from schedules.domain.recurrence import ONE_VALUE

from .conftest import Api
from .rules_clinic import Clinic, open_clinic, problem, put_week, week

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
