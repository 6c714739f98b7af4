"""Availability queries over HTTP on a migrated database fed by real events: a practitioner's day,
the range search with cursor paging, booking's check, and the calendar views."""

from __future__ import annotations

import asyncio
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Table, event, func, select
from sqlalchemy.dialects.postgresql import insert

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentFlaggedOutsideHours,
    AppointmentTypeUpserted,
    LocationUpserted,
    PractitionerUpserted,
)
from clinic_contracts.events.base import EventPayload
from clinic_platform.store.sessions import tenant_transaction
from schedules.store import tables

from .conftest import Api

pytestmark = pytest.mark.integration
BERLIN, TOKYO = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Tokyo")
WORKDAYS = [
    {"weekday": d, "start": start, "end": end}
    for d in range(5)
    for start, end in (("09:00", "12:00"), ("14:00", "18:00"))
]


def next_monday() -> date:
    """A Monday at least a week ahead whose working week lies in one month."""
    day = datetime.now(BERLIN).date() + timedelta(days=7)
    day += timedelta(days=-day.weekday() % 7)
    while (day + timedelta(days=4)).month != day.month:
        day += timedelta(days=7)
    return day


@dataclass
class Clinic:
    """Berlin (L) and Tokyo (M); A works at both, B at L, C at M; one 30-minute type."""

    api: Api
    monday: date = field(default_factory=next_monday)
    berlin: UUID = field(default_factory=uuid4)
    tokyo: UUID = field(default_factory=uuid4)
    a: UUID = field(default_factory=uuid4)
    b: UUID = field(default_factory=uuid4)
    c: UUID = field(default_factory=uuid4)
    kind: UUID = field(default_factory=uuid4)

    def local(self, hour: int, minute: int = 0, days: int = 0, zone: ZoneInfo = BERLIN) -> datetime:
        return datetime.combine(self.monday + timedelta(days=days), time(hour, minute), zone)

    async def insert(self, table: Table, **values: Any) -> UUID:
        """A rules row of the clinic's tenant, as the rules API would store it."""
        row = {"tenant_id": self.api.feed.tenant_id, **values}
        if "id" in table.c:
            row.setdefault("id", uuid4())
        async with tenant_transaction(self.api.runtime.sessions, self.api.feed.tenant_id) as s:
            await s.execute(insert(table).values(row))
        return UUID(str(row.get("id", uuid4())))

    async def book(
        self, start: datetime, payload: type[EventPayload] = AppointmentBooked, **extra: Any
    ) -> UUID:
        appointment = extra.pop("appointment_id", uuid4())
        await self.api.feed.publish(
            payload(  # type: ignore[call-arg]
                appointment_id=appointment,
                patient_id=uuid4(),
                practitioner_id=self.a,
                practitioner_ids=[self.a],
                location_id=extra.pop("location_id", self.berlin),
                appointment_type_id=self.kind,
                start=start.astimezone(UTC),
                end=(start + timedelta(minutes=30)).astimezone(UTC),
                buffer_before_minutes=0,
                buffer_after_minutes=10,
                status=extra.pop("status", "pending"),
                **extra,
            )
        )
        return appointment

    async def count(self, table: Table, *where: Any) -> int:
        async with tenant_transaction(self.api.runtime.sessions, self.api.feed.tenant_id) as s:
            return int(await s.scalar(select(func.count()).select_from(table).where(*where)) or 0)

    async def settled(self, table: Table, expected: int, *where: Any) -> None:
        """Wait until the consumer has applied the events (30 s at most)."""
        for _ in range(300):
            if await self.count(table, *where) >= expected:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{table.name} never reached {expected} rows")


async def open_clinic(api: Api) -> Clinic:
    """The catalog through events, and weekday templates (09-12, 14-18) for A and B at L."""
    clinic = Clinic(api)
    people = (
        (clinic.a, [clinic.berlin, clinic.tokyo]),
        (clinic.b, [clinic.berlin]),
        (clinic.c, [clinic.tokyo]),
    )
    await api.feed.publish(
        LocationUpserted(
            location_id=clinic.berlin,
            name="Mitte",
            address="",
            timezone="Europe/Berlin",
            active=True,
        ),
        LocationUpserted(
            location_id=clinic.tokyo, name="Shibuya", address="", timezone="Asia/Tokyo", active=True
        ),
        *(
            PractitionerUpserted(
                practitioner_id=who,
                display_name=f"Dr. {who.hex[:4]}",
                status="active",
                location_ids=at,
                specialties=[],
            )
            for who, at in people
        ),
        AppointmentTypeUpserted(
            appointment_type_id=clinic.kind,
            slug="check-up",
            name="Check-up",
            duration_minutes=30,
            buffer_before_minutes=0,
            buffer_after_minutes=10,
            min_notice_minutes=60,
            max_future_days=120,
            reschedule_limit=2,
            cancellation_notice_minutes=0,
            consultation_mode="in_person",
            price="40.00",
            currency="EUR",
            active=True,
        ),
    )
    for who in (clinic.a, clinic.b):
        await clinic.insert(
            tables.weekly_templates,
            practitioner_id=who,
            location_id=clinic.berlin,
            effective_from=clinic.monday - timedelta(days=30),
            effective_to=None,
            intervals=WORKDAYS,
        )
    await clinic.settled(tables.practitioners, 3)
    await clinic.settled(tables.locations, 2)
    await clinic.settled(tables.appointment_types, 1)
    return clinic


def hours(slots: list[dict[str, Any]]) -> list[str]:
    return [slot["local_start"][11:16] for slot in slots]


async def test_a_practitioners_day_lists_its_slots_in_utc_and_local_time_around_bookings(
    schedules_api: Api,
) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    await clinic.book(clinic.local(10))
    await clinic.settled(tables.booked_intervals, 1)
    headers = api.headers("patient")
    params = {"date": clinic.monday.isoformat(), "appointment_type_id": str(clinic.kind)}
    answer = await api.client.get(
        f"/practitioners/{clinic.a}/availability/slots", params=params, headers=headers
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # 10:00-10:30 is booked with a 10-minute buffer after; the type's own buffer after keeps
    # 09:30 clear of it too.
    afternoon = ["14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30"]
    assert hours(body["slots"]) == ["09:00", "11:00", "11:30", *afternoon]
    first = body["slots"][0]
    offset = clinic.local(9).strftime("%z")
    assert first["local_start"].endswith(f"{offset[:3]}:{offset[3:]}")
    assert datetime.fromisoformat(first["start"]) == clinic.local(9)
    assert first["start"].endswith(("Z", "+00:00"))
    assert (first["location_id"], first["practitioner_id"], first["remaining"]) == (
        str(clinic.berlin),
        str(clinic.a),
        1,
    )
    # A 15-minute step, and only at Tokyo, where A has no template.
    quarter = await api.client.get(
        f"/practitioners/{clinic.a}/availability/slots",
        params={**params, "step_minutes": 15},
        headers=headers,
    )
    assert hours(quarter.json()["slots"])[:4] == ["09:00", "09:15", "10:45", "11:00"]
    tokyo = await api.client.get(
        f"/practitioners/{clinic.a}/availability/slots",
        params={**params, "location_id": str(clinic.tokyo)},
        headers=headers,
    )
    assert tokyo.json()["slots"] == []


async def test_slot_queries_answer_404_and_422_naming_the_field(schedules_api: Api) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    headers = api.headers("ai_agent")
    good = {"date": clinic.monday.isoformat(), "appointment_type_id": str(clinic.kind)}

    async def slots(who: UUID, **params: Any) -> Any:
        return await api.client.get(
            f"/practitioners/{who}/availability/slots", params={**good, **params}, headers=headers
        )

    unknown = await slots(uuid4())
    assert (unknown.status_code, unknown.json()["code"]) == (404, "practitioner_not_found")
    no_type = await slots(clinic.a, appointment_type_id=str(uuid4()))
    assert (no_type.status_code, no_type.json()["code"]) == (404, "appointment_type_not_found")
    elsewhere = await slots(clinic.b, location_id=str(clinic.tokyo))
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (404, "location_id")
    bad_date = await slots(clinic.a, date="2026-02-30")
    assert bad_date.status_code == 422
    assert bad_date.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in bad_date.json()["errors"]] == ["query.date"]
    forbidden = await api.client.get(
        f"/practitioners/{clinic.a}/availability/slots", params=good, headers=api.headers("nobody")
    )
    assert forbidden.status_code == 403


async def test_the_range_search_pages_every_slot_in_order_with_a_fixed_number_of_queries(
    schedules_api: Api,
) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    headers = api.headers("receptionist")
    params = {
        "from": clinic.monday.isoformat(),
        "to": (clinic.monday + timedelta(days=1)).isoformat(),
        "appointment_type_id": str(clinic.kind),
    }
    whole = await api.client.get("/availability", params={**params, "limit": 500}, headers=headers)
    assert whole.status_code == 200, whole.text
    everything = whole.json()["items"]
    assert whole.json()["next_cursor"] is None
    # Two practitioners x two days x 14 half-hours (C and A's Tokyo placement have no template).
    assert len(everything) == 2 * 2 * 14
    keys = [
        (datetime.fromisoformat(s["start"]), UUID(s["practitioner_id"]), UUID(s["location_id"]))
        for s in everything
    ]
    assert keys == sorted(set(keys))

    paged, cursor, pages = [], None, 0
    while True:
        page = await api.client.get(
            "/availability",
            params={**params, "limit": 5, **({"cursor": cursor} if cursor else {})},
            headers=headers,
        )
        assert page.status_code == 200, page.text
        paged += page.json()["items"]
        cursor, pages = page.json()["next_cursor"], pages + 1
        if cursor is None:
            break
    assert paged == everything
    assert pages == -(-len(everything) // 5)

    only_b = await api.client.get(
        "/availability", params={**params, "practitioner_id": str(clinic.b)}, headers=headers
    )
    assert {s["practitioner_id"] for s in only_b.json()["items"]} == {str(clinic.b)}
    at_tokyo = await api.client.get(
        "/availability", params={**params, "location_id": str(clinic.tokyo)}, headers=headers
    )
    assert at_tokyo.json()["items"] == []

    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The outbox relay polls on the same engine meanwhile (set_config, advisory lock, outbox
        # select every 0.2 s): count only the search's own queries.
        if not any(word in statement for word in ("set_config", "advisory_xact_lock", "outbox")):
            statements.append(statement)

    engine = api.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        await api.client.get(
            "/availability", params={**params, "practitioner_id": str(clinic.b)}, headers=headers
        )
        alone = len(statements)
        statements.clear()
        await api.client.get("/availability", params=params, headers=headers)
        together = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert alone >= 3  # the listener saw the search's statements
    assert together == alone  # three practitioners cost the queries one does


async def test_the_range_search_refuses_long_ranges_and_foreign_cursors(schedules_api: Api) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    headers = api.headers("patient")
    base = {"from": clinic.monday.isoformat(), "appointment_type_id": str(clinic.kind)}
    too_long = await api.client.get(
        "/availability",
        params={**base, "to": (clinic.monday + timedelta(days=31)).isoformat()},
        headers=headers,
    )
    assert (too_long.status_code, too_long.json()["field"], too_long.json()["code"]) == (
        422,
        "to",
        "range_too_long",
    )
    backwards = await api.client.get(
        "/availability",
        params={**base, "to": (clinic.monday - timedelta(days=1)).isoformat()},
        headers=headers,
    )
    assert (backwards.status_code, backwards.json()["field"]) == (422, "to")
    month = await api.client.get(
        "/availability",
        params={**base, "to": (clinic.monday + timedelta(days=30)).isoformat(), "limit": 1},
        headers=headers,
    )
    assert month.status_code == 200
    bad = await api.client.get(
        "/availability",
        params={**base, "to": base["from"], "cursor": "bm90LWEtY3Vyc29y"},
        headers=headers,
    )
    assert (bad.status_code, bad.json()["field"], bad.json()["code"]) == (
        422,
        "cursor",
        "invalid_cursor",
    )


async def test_the_check_names_the_deciding_rule_and_every_reason(schedules_api: Api) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    a, local = clinic.a, clinic.local
    await clinic.insert(
        tables.clinic_hours,
        location_id=clinic.berlin,
        weekly=[{"weekday": d, "start": "08:00", "end": "17:30"} for d in range(5)],
        date_overrides=[],
        closed_dates=[],
    )
    await clinic.insert(
        tables.holidays,
        location_id=clinic.berlin,
        on_date=clinic.monday + timedelta(days=1),
        name="Feiertag",
    )
    await clinic.insert(
        tables.exceptions,
        practitioner_id=a,
        kind="blocked",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        dtstart=clinic.monday - timedelta(days=7),
        start_time=time(11),
        end_time=time(12),
    )
    await clinic.insert(
        tables.exceptions,
        practitioner_id=a,
        kind="available",
        on_date=clinic.monday,
        start_time=time(12),
        end_time=time(13),
    )
    await clinic.insert(
        tables.leaves, practitioner_id=a, start_at=local(14), end_at=local(15), status="approved"
    )
    await clinic.insert(
        tables.leaves, practitioner_id=a, start_at=local(15), end_at=local(16), status="requested"
    )
    await clinic.insert(
        tables.forced_blocks,
        practitioner_id=a,
        kind="emergency",
        start_at=local(16),
        end_at=local(17),
    )
    await clinic.book(local(9, 30))
    await clinic.settled(tables.booked_intervals, 1)

    async def check(start: datetime, minutes: int = 30, **extra: Any) -> dict[str, Any]:
        params = {
            "practitioner_id": str(extra.pop("practitioner_id", a)),
            "location_id": str(extra.pop("location_id", clinic.berlin)),
            "start": start.isoformat(),
            "end": (start + timedelta(minutes=minutes)).isoformat(),
            **extra,
        }
        answer = await api.client.get(
            "/availability/check", params=params, headers=api.headers("patient")
        )
        return {"status": answer.status_code, **answer.json()}

    assert await check(local(9)) == {
        "status": 200,
        "bookable": True,
        "rule": "weekly_schedule",
        "reasons": [],
    }
    assert (await check(local(12)))["rule"] == "exception_available"
    assert (await check(local(11)))["rule"] == "exception_blocked"
    assert (await check(local(14)))["rule"] == "leave"
    assert (await check(local(15)))["bookable"]  # requested leave removes nothing yet
    assert (await check(local(16)))["rule"] == "emergency"
    assert (await check(local(17, 30)))["rule"] == "outside_clinic_hours"
    assert (await check(local(19)))["reasons"] == [
        "outside_clinic_hours",
        "outside_weekly_schedule",
    ]
    assert (await check(local(9, days=1)))["rule"] == "holiday"
    assert (await check(local(9, days=5)))["reasons"] == [
        "clinic_closed",
        "outside_weekly_schedule",
    ]
    # Rules only by default: booking's own constraint refuses overlaps, and its own hold must pass.
    assert (await check(local(9, 30)))["bookable"]
    occupied = await check(local(9, 30), include_occupancy="true")
    assert (occupied["bookable"], occupied["rule"]) == (False, "booked")
    assert (await check(local(10, 10), include_occupancy="true"))["bookable"]  # after its buffer
    # The type's own 10-minute buffer after reaches the booking at 09:30.
    assert (await check(local(9), include_occupancy="true"))["bookable"]
    typed = await check(local(9), include_occupancy="true", appointment_type_id=str(clinic.kind))
    assert typed["rule"] == "booked"

    assert (await check(local(9), practitioner_id=uuid4()))["status"] == 404
    assert (await check(local(9), location_id=uuid4()))["status"] == 404
    c_elsewhere = await check(local(9), practitioner_id=clinic.c)
    assert (c_elsewhere["status"], c_elsewhere["code"]) == (404, "location_not_found")
    backwards = await check(local(9), minutes=-30)
    assert (backwards["status"], backwards["field"]) == (422, "end")
    naive = await api.client.get(
        "/availability/check",
        params={
            "practitioner_id": str(a),
            "location_id": str(clinic.berlin),
            "start": "2026-12-01T09:00:00",
            "end": "2026-12-01T09:30:00",
        },
        headers=api.headers("patient"),
    )
    assert naive.status_code == 422
    assert {e["field"] for e in naive.json()["errors"]} == {"query.start", "query.end"}


async def test_the_month_calendar_counts_per_local_day_and_flags_outside_hours(
    schedules_api: Api,
) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    local = clinic.local
    await clinic.book(local(10))
    await clinic.book(
        local(11), AppointmentCancelled, status="cancelled", cancelled_by="patient", reason=""
    )
    await clinic.book(
        local(9, days=2), AppointmentFlaggedOutsideHours, status="confirmed", decided_by="schedules"
    )
    thursday = await clinic.book(local(9, days=3))
    friday = await clinic.book(local(9, days=4))
    # 00:30 in Tokyo on Tuesday is Monday afternoon in Berlin: it counts on Tuesday.
    await clinic.book(local(0, 30, days=1, zone=TOKYO), location_id=clinic.tokyo)
    await clinic.settled(tables.booked_intervals, 6)
    # A rule change marked Thursday's at its times, and Friday's at times it no longer has.
    for appointment, start in ((thursday, local(9, days=3)), (friday, local(8, days=4))):
        await clinic.insert(
            tables.outside_hours_marks,
            appointment_id=appointment,
            start_at=start,
            end_at=start + timedelta(minutes=30),
            cause="weekly_schedule_replaced",
        )
    month = clinic.monday.strftime("%Y-%m")
    own = api.headers("practitioner", practitioner_id=clinic.a)
    answer = await api.client.get(
        f"/practitioners/{clinic.a}/availability/calendar", params={"month": month}, headers=own
    )
    assert answer.status_code == 200, answer.text
    days = {d["date"]: (d["appointments"], d["outside_hours"]) for d in answer.json()["days"]}
    assert len(days) == monthrange(clinic.monday.year, clinic.monday.month)[1]
    on = lambda n: (clinic.monday + timedelta(days=n)).isoformat()  # noqa: E731
    assert [days[on(n)] for n in range(5)] == [
        (1, False),
        (1, False),
        (1, True),
        (1, True),
        (1, False),
    ]
    assert sum(count for count, _ in days.values()) == 5
    assert answer.json()["days"][0]["date"].endswith("-01")


async def test_the_day_calendar_shows_rules_windows_and_appointments_to_whom_may_see(
    schedules_api: Api,
) -> None:
    api = schedules_api
    clinic = await open_clinic(api)
    a, local = clinic.a, clinic.local
    await clinic.insert(
        tables.holidays, location_id=clinic.berlin, on_date=clinic.monday, name="Feiertag"
    )
    await clinic.insert(
        tables.exceptions,
        practitioner_id=a,
        kind="blocked",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        dtstart=clinic.monday - timedelta(days=7),
        start_time=None,
        end_time=None,
        reason="teaching",
    )
    await clinic.insert(
        tables.exceptions,
        practitioner_id=a,
        kind="available",
        on_date=clinic.monday + timedelta(days=1),
        start_time=time(18),
        end_time=time(0),
    )
    await clinic.insert(
        tables.leaves,
        practitioner_id=a,
        start_at=local(14, days=1),
        end_at=local(15, days=1),
        status="approved",
    )
    await clinic.insert(
        tables.leaves,
        practitioner_id=a,
        start_at=local(9, days=1),
        end_at=local(10, days=1),
        status="rejected",
    )
    await clinic.insert(
        tables.forced_blocks,
        practitioner_id=a,
        kind="forced",
        start_at=local(16, days=1),
        end_at=local(17, days=1),
    )
    appointment = await clinic.book(
        local(9, days=1), AppointmentFlaggedOutsideHours, status="confirmed", decided_by="schedules"
    )
    await clinic.settled(tables.booked_intervals, 1)
    tuesday = (clinic.monday + timedelta(days=1)).isoformat()
    desk = api.headers("receptionist")
    answer = await api.client.get(
        f"/practitioners/{a}/availability/calendar", params={"date": tuesday}, headers=desk
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["view"] == "day"
    places = {p["location_id"]: p for p in body["locations"]}
    berlin = places[str(clinic.berlin)]
    assert berlin["timezone"] == "Europe/Berlin"
    assert [(i["start"], i["end"]) for i in berlin["default_intervals"]] == [
        ("09:00", "12:00"),
        ("14:00", "18:00"),
    ]
    assert berlin["clinic_hours"] is None
    assert berlin["holidays"] == []
    windows = [(w["local_start"][11:16], w["local_end"][11:16]) for w in berlin["windows"]]
    # Leave 14-15 and a forced block 16-17 cut the afternoon; the extra evening joins it at 18:00.
    assert windows == [("09:00", "12:00"), ("15:00", "16:00"), ("17:00", "00:00")]
    assert places[str(clinic.tokyo)]["default_intervals"] == []
    (extra,) = body["exceptions"]
    assert (extra["kind"], extra["start"], extra["end"], extra["all_day"]) == (
        "available",
        "18:00",
        "24:00",
        False,
    )
    assert [(v["kind"], v["status"]) for v in body["leaves"]] == [("leave", "approved")]
    assert [b["kind"] for b in body["blocks"]] == ["forced"]
    (mark,) = body["appointments"]
    assert (mark["appointment_id"], mark["outside_hours"]) == (str(appointment), True)

    monday = await api.client.get(
        f"/practitioners/{a}/availability/calendar",
        params={"date": clinic.monday.isoformat()},
        headers=desk,
    )
    by_place = {p["location_id"]: p for p in monday.json()["locations"]}
    assert by_place[str(clinic.berlin)]["holidays"] == ["Feiertag"]
    assert by_place[str(clinic.berlin)]["windows"] == []
    (teaching,) = monday.json()["exceptions"]
    assert (teaching["all_day"], teaching["recurring"], teaching["reason"]) == (
        True,
        True,
        "teaching",
    )

    url = f"/practitioners/{a}/availability/calendar"
    own = await api.client.get(
        url, params={"date": tuesday}, headers=api.headers("practitioner", practitioner_id=a)
    )
    assert own.status_code == 200
    other = await api.client.get(
        f"/practitioners/{clinic.b}/availability/calendar",
        params={"date": tuesday},
        headers=api.headers("practitioner", practitioner_id=a),
    )
    assert (other.status_code, other.json()["code"]) == (403, "missing_permission")
    assert (
        await api.client.get(url, params={"date": tuesday}, headers=api.headers("patient"))
    ).status_code == 403
    neither = await api.client.get(url, headers=desk)
    both = await api.client.get(url, params={"date": tuesday, "month": "2026-12"}, headers=desk)
    assert [(r.status_code, r.json()["field"]) for r in (neither, both)] == [
        (422, "month"),
        (422, "month"),
    ]
    bad_month = await api.client.get(url, params={"month": "2026-13"}, headers=desk)
    assert bad_month.status_code == 422
    assert [e["field"] for e in bad_month.json()["errors"]] == ["query.month"]
    unknown = await api.client.get(
        f"/practitioners/{uuid4()}/availability/calendar", params={"date": tuesday}, headers=desk
    )
    assert unknown.status_code == 404
