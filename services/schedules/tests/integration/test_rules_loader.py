"""The loader gathers every rule, occupation and busy time a placement needs, per tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from clinic_platform.store.migrations import upgrade
from clinic_platform.store.sessions import create_engine, create_sessions, tenant_transaction
from schedules.app import MIGRATIONS
from schedules.domain import DateRange, effective_windows
from schedules.store.rules import load_rules
from schedules.store.tables import (
    booked_intervals,
    busy_intervals,
    clinic_hours,
    exceptions,
    forced_blocks,
    holidays,
    leaves,
    locations,
    practitioners,
    weekly_templates,
)

pytestmark = pytest.mark.integration
LONDON, TOKYO = "Europe/London", "Asia/Tokyo"
NOW = datetime(2026, 11, 22, tzinfo=UTC)
FIRST, LAST = date(2026, 12, 1), date(2026, 12, 7)


@pytest.fixture
async def engine(fresh_database: Callable[..., Any]) -> AsyncIterator[AsyncEngine]:
    database = fresh_database("schedules_loader")
    await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
    engine = create_engine(database.url)
    yield engine
    await engine.dispose()


def at(day: date, hour: int, zone: str = LONDON) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo(zone)).astimezone(UTC)


def occupation(tenant: UUID, practitioner_ids: list[UUID], **values: Any) -> dict[str, Any]:
    start, end = values.pop("start_at"), values.pop("end_at")
    return {
        "tenant_id": tenant,
        "appointment_id": uuid4(),
        "practitioner_ids": practitioner_ids,
        "location_id": uuid4(),
        "appointment_type_id": uuid4(),
        "start_at": start,
        "end_at": end,
        "buffer_before_minutes": 5,
        "buffer_after_minutes": 10,
        "blocked_from": start - timedelta(minutes=5),
        "blocked_until": end + timedelta(minutes=10),
        "event_time": NOW,
        **values,
    }


async def seed(engine: AsyncEngine, tenant: UUID) -> dict[str, UUID]:
    ids = {name: uuid4() for name in ("london", "tokyo", "retired", "ada", "ben", "gone", "draft")}
    sessions = create_sessions(engine)
    async with tenant_transaction(sessions, tenant) as session:
        await session.execute(
            insert(locations),
            [
                {
                    "tenant_id": tenant,
                    "id": ids["london"],
                    "name": "L",
                    "timezone": LONDON,
                    "active": True,
                    "retired": False,
                    "event_time": NOW,
                },
                {
                    "tenant_id": tenant,
                    "id": ids["tokyo"],
                    "name": "T",
                    "timezone": TOKYO,
                    "active": True,
                    "retired": False,
                    "event_time": NOW,
                },
                {
                    "tenant_id": tenant,
                    "id": ids["retired"],
                    "name": "R",
                    "timezone": LONDON,
                    "active": False,
                    "retired": True,
                    "event_time": NOW,
                },
            ],
        )
        await session.execute(
            insert(practitioners),
            [
                {
                    "tenant_id": tenant,
                    "id": ids["ada"],
                    "display_name": "Ada",
                    "status": "active",
                    "location_ids": [ids["london"], ids["retired"]],
                    "event_time": NOW,
                },
                {
                    "tenant_id": tenant,
                    "id": ids["ben"],
                    "display_name": "Ben",
                    "status": "active",
                    "location_ids": [ids["tokyo"]],
                    "event_time": NOW,
                },
                # Not yet active: booking would refuse her, so she has no availability anywhere.
                {
                    "tenant_id": tenant,
                    "id": ids["draft"],
                    "display_name": "Draft",
                    "status": "draft",
                    "location_ids": [ids["london"]],
                    "event_time": NOW,
                },
                {
                    "tenant_id": tenant,
                    "id": ids["gone"],
                    "display_name": "Gone",
                    "status": "inactive",
                    "location_ids": [ids["london"]],
                    "event_time": NOW,
                },
            ],
        )
        week = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]
        await session.execute(
            insert(weekly_templates),
            [
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "location_id": ids["london"],
                    "effective_from": date(2026, 1, 1),
                    "effective_to": None,
                    "intervals": week,
                },
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ben"],
                    "location_id": ids["tokyo"],
                    "effective_from": date(2026, 1, 1),
                    "effective_to": None,
                    "intervals": week,
                },
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["draft"],
                    "location_id": ids["london"],
                    "effective_from": date(2026, 1, 1),
                    "effective_to": None,
                    "intervals": week,
                },
                # Ada's template in Tokyo places her nowhere: the catalog does not link her there.
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "location_id": ids["tokyo"],
                    "effective_from": date(2026, 6, 1),
                    "effective_to": None,
                    "intervals": week,
                },
                # A template that ended before the window is not loaded.
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "location_id": ids["tokyo"],
                    "effective_from": date(2025, 1, 1),
                    "effective_to": date(2025, 12, 31),
                    "intervals": week,
                },
            ],
        )
        await session.execute(
            insert(clinic_hours).values(
                tenant_id=tenant,
                location_id=ids["london"],
                weekly=[{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(6)],
                date_overrides=[
                    {"date": "2026-12-04", "intervals": [{"start": "08:00", "end": "12:00"}]}
                ],
                closed_dates=[date(2026, 12, 3)],
            )
        )
        await session.execute(
            insert(holidays).values(
                tenant_id=tenant,
                location_id=ids["london"],
                on_date=date(2026, 12, 2),
                name="Staff day",
            )
        )
        await session.execute(
            insert(exceptions).values(
                tenant_id=tenant,
                id=uuid4(),
                practitioner_id=ids["ada"],
                kind="blocked",
                rrule="FREQ=WEEKLY;BYDAY=MO",
                dtstart=date(2026, 1, 5),
                start_time=time(12),
                end_time=time(13),
            )
        )
        await session.execute(  # outside the window
            insert(exceptions).values(
                tenant_id=tenant,
                id=uuid4(),
                practitioner_id=ids["ada"],
                kind="available",
                on_date=date(2027, 1, 9),
            )
        )
        await session.execute(
            insert(leaves),
            [
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "start_at": at(date(2026, 12, 7), 0),
                    "end_at": at(date(2026, 12, 8), 0),
                    "status": "approved",
                },
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "start_at": at(date(2026, 12, 1), 0),
                    "end_at": at(date(2026, 12, 2), 0),
                    "status": "requested",
                },
            ],
        )
        await session.execute(
            insert(forced_blocks),
            [
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "kind": "emergency",
                    "start_at": at(FIRST, 9),
                    "end_at": at(FIRST, 10),
                    "lifted_at": None,
                },
                {
                    "tenant_id": tenant,
                    "id": uuid4(),
                    "practitioner_id": ids["ada"],
                    "kind": "forced",
                    "start_at": at(FIRST, 14),
                    "end_at": at(FIRST, 15),
                    "lifted_at": NOW,
                },
            ],
        )
        both = [ids["ada"], ids["ben"]]
        await session.execute(
            insert(booked_intervals),
            [
                occupation(
                    tenant,
                    both,
                    kind="appointment",
                    status="confirmed",
                    start_at=at(FIRST, 11),
                    end_at=at(FIRST, 12),
                    expires_at=None,
                ),
                occupation(
                    tenant,
                    [ids["ada"]],
                    kind="appointment",
                    status="cancelled",
                    start_at=at(FIRST, 15),
                    end_at=at(FIRST, 16),
                    expires_at=None,
                ),
                occupation(
                    tenant,
                    [ids["ada"]],
                    kind="hold",
                    status="held",
                    start_at=at(FIRST, 16),
                    end_at=at(FIRST, 17),
                    expires_at=NOW + timedelta(minutes=10),
                ),
            ],
        )
        await session.execute(
            insert(busy_intervals).values(
                tenant_id=tenant,
                connection_id=uuid4(),
                practitioner_id=ids["ada"],
                start_at=at(date(2026, 12, 4), 9),
                end_at=at(date(2026, 12, 4), 10),
            )
        )
    return ids


async def test_a_placement_gets_its_own_rules_and_shared_occupations(engine: AsyncEngine) -> None:
    tenant = uuid4()
    ids = await seed(engine, tenant)
    ids_other = await seed(engine, uuid4())  # another tenant's identical data stays out
    sessions = create_sessions(engine)
    async with tenant_transaction(sessions, tenant) as session:
        found = await load_rules(
            session,
            [ids["ada"], ids["ben"], ids["gone"], ids["draft"], ids_other["ada"]],
            FIRST,
            LAST,
        )

    # Retired location, inactive or draft practitioner, a template where the catalog does not
    # place her, and another tenant give nothing.
    assert set(found) == {(ids["ada"], ids["london"]), (ids["ben"], ids["tokyo"])}
    ada = found[(ids["ada"], ids["london"])]
    assert ada.zone == ZoneInfo(LONDON)
    assert ada.location_id == ids["london"]
    here = [w for w in ada.weekly if w.location_id == ids["london"]]
    assert sorted(w.weekday for w in here) == [0, 1, 2, 3, 4]
    assert ada.clinic_hours is not None
    assert ada.clinic_hours.closed == {date(2026, 12, 3)}
    assert [h.on for h in ada.holidays] == [date(2026, 12, 2)]
    assert [e.rrule for e in ada.exceptions] == ["FREQ=WEEKLY;BYDAY=MO"]
    assert [(v.start, v.approved) for v in ada.leaves] == [(at(date(2026, 12, 7), 0), True)]
    assert [(b.kind, b.start) for b in ada.blocks] == [("emergency", at(FIRST, 9))]
    assert sorted(b.start for b in ada.booked) == [at(FIRST, 11), at(FIRST, 16)]
    assert {b.buffer_after for b in ada.booked} == {timedelta(minutes=10)}
    assert [b.start for b in ada.busy] == [at(date(2026, 12, 4), 9)]

    ben = found[(ids["ben"], ids["tokyo"])]
    assert ben.zone == ZoneInfo(TOKYO)
    assert ben.clinic_hours is None
    assert not ben.holidays
    assert [b.start for b in ben.booked] == [at(FIRST, 11)]  # the shared appointment

    # The engine reads the loaded rules: Tuesday 1 Dec loses 09-10 (emergency) and is otherwise
    # 09-17; the holiday, the closed day and the leave day have nothing; Friday is cut at 12.
    windows = effective_windows(ada, DateRange(FIRST, LAST))
    by_day: dict[date, list[tuple[datetime, datetime]]] = {}
    for window in windows:
        by_day.setdefault(window.local_date, []).append((window.start, window.end))
    assert by_day == {
        date(2026, 12, 1): [(at(FIRST, 10), at(FIRST, 17))],
        date(2026, 12, 4): [(at(date(2026, 12, 4), 9), at(date(2026, 12, 4), 12))],
    }


async def test_a_location_filter_and_no_practitioners_load_nothing_else(
    engine: AsyncEngine,
) -> None:
    tenant = uuid4()
    ids = await seed(engine, tenant)
    sessions = create_sessions(engine)
    async with tenant_transaction(sessions, tenant) as session:
        only_tokyo = await load_rules(
            session, [ids["ada"], ids["ben"]], FIRST, LAST, location_id=ids["tokyo"]
        )
        nobody = await load_rules(session, [], FIRST, LAST)
    assert set(only_tokyo) == {(ids["ben"], ids["tokyo"])}
    assert nobody == {}
