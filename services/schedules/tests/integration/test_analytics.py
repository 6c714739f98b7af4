"""Occupancy analytics over the real broker: events in, figures out, per role and per tenant."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from asgi_lifespan import LifespanManager
from sqlalchemy import insert, select

from clinic_contracts import (
    CONSUMER_GROUPS,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentHeld,
    AppointmentNoShow,
    AppointmentRescheduled,
    CancelledBy,
    LocationUpserted,
    PractitionerUpserted,
)
from clinic_contracts.codec import KafkaMessage
from clinic_platform.auth import issue_token
from clinic_platform.runtime import Runtime
from clinic_platform.store.migrations import upgrade
from clinic_platform.store.platform_tables import inbox
from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.topic_reader import skip_group_to_end
from schedules.app import MIGRATIONS, build_app
from schedules.config import Settings
from schedules.store.occupancy import occupancy_facts
from schedules.store.tables import booked_intervals, weekly_templates

from .conftest import Feed

pytestmark = pytest.mark.integration
URL = "/api/v1/schedules/analytics/occupancy"
TAIPEI = ZoneInfo("Asia/Taipei")  # UTC+8, no DST
MONDAY = date(2030, 3, 4)


@dataclass
class Analytics:
    runtime: Runtime
    feed: Feed
    client: httpx.AsyncClient
    settings: Settings

    def headers(self, *roles: str, tenant_id: UUID | None = None, **claims: Any) -> dict[str, str]:
        token = issue_token(
            self.settings,
            subject=f"user-{uuid4().hex[:8]}",
            tenant_id=tenant_id or self.feed.tenant_id,
            roles=roles,
            **claims,
        )
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def analytics(
    fresh_database: Callable[..., Any], schedules_topics: str
) -> AsyncIterator[Analytics]:
    """The running app over HTTP, its consumer at the topics' ends, and a feed for one tenant."""
    database = fresh_database("schedules_analytics")
    await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
    for topic in CONSUMER_GROUPS["schedules"]:
        await skip_group_to_end(schedules_topics, "schedules", topic)
    settings = Settings(database_url=database.url, kafka_bootstrap_servers=schedules_topics)
    app = build_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=schedules_topics)
    await producer.start()
    try:
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
            transport = httpx.ASGITransport(manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                yield Analytics(app.state.runtime, Feed(producer), client, settings)
    finally:
        await producer.stop()


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), TAIPEI).astimezone(UTC)


def event_id(message: KafkaMessage) -> str:
    return dict(message.headers)["ce_id"].decode()


async def applied(runtime: Runtime, tenant_id: UUID, messages: list[KafkaMessage]) -> None:
    """Wait until the inbox holds every message's event id (30 s at most)."""
    wanted = {event_id(message) for message in messages}
    for _ in range(300):
        async with tenant_transaction(runtime.sessions, tenant_id) as session:
            seen = set((await session.execute(select(inbox.c.event_id))).scalars())
        if wanted <= seen:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never applied: {wanted - seen}")


class Clinic:
    """One tenant's location, two practitioners with Monday templates, and appointment events."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed
        self.location, self.ada, self.ben = uuid4(), uuid4(), uuid4()

    def catalog(self) -> list[Any]:
        return [
            LocationUpserted(
                location_id=self.location,
                name="Da'an",
                address="",
                timezone="Asia/Taipei",
                active=True,
            ),
            *(
                PractitionerUpserted(
                    practitioner_id=who,
                    display_name=name,
                    status="active",
                    location_ids=[self.location],
                    specialties=[],
                )
                for who, name in ((self.ada, "Ada"), (self.ben, "Ben"))
            ),
        ]

    async def templates(self, runtime: Runtime) -> None:
        """Ada works Monday 09-12 and 14-17, Ben Monday 09-12 (rows as the rules API writes)."""

        def week(*spans: tuple[str, str]) -> list[dict[str, Any]]:
            return [{"weekday": 0, "start": start, "end": end} for start, end in spans]

        rows = [
            (self.ada, week(("09:00", "12:00"), ("14:00", "17:00"))),
            (self.ben, week(("09:00", "12:00"))),
        ]
        async with tenant_transaction(runtime.sessions, self.feed.tenant_id) as session:
            await session.execute(
                insert(weekly_templates),
                [
                    {
                        "tenant_id": self.feed.tenant_id,
                        "id": uuid4(),
                        "practitioner_id": who,
                        "location_id": self.location,
                        "effective_from": date(2030, 1, 1),
                        "intervals": intervals,
                    }
                    for who, intervals in rows
                ],
            )

    def visit(
        self, start: datetime, minutes: int, *, shared: bool = False, **extra: Any
    ) -> dict[str, Any]:
        return {
            "appointment_id": uuid4(),
            "patient_id": uuid4(),
            "practitioner_id": self.ada,
            "practitioner_ids": [self.ada, self.ben] if shared else [self.ada],
            "location_id": self.location,
            "appointment_type_id": uuid4(),
            "start": start,
            "end": start + timedelta(minutes=minutes),
            "buffer_before_minutes": 5,
            "buffer_after_minutes": 10,
            **extra,
        }


def moved(visit: dict[str, Any], start: datetime, minutes: int) -> dict[str, Any]:
    return {**visit, "start": start, "end": start + timedelta(minutes=minutes)}


async def publish_monday(clinic: Clinic, runtime: Runtime) -> list[KafkaMessage]:
    """Ada's Monday as booking would tell it, with duplicates and stale, out-of-order events."""
    feed = clinic.feed
    done = clinic.visit(at(9), 30)
    missed = clinic.visit(at(10), 30)
    dropped = clinic.visit(at(11), 30)
    kept = clinic.visit(at(15, 30), 30)
    shared = clinic.visit(at(11), 45, shared=True)
    late = clinic.visit(at(12), 30)
    elsewhere = clinic.visit(at(9, day=MONDAY + timedelta(days=1)), 60)
    hold = {
        key: v
        for key, v in clinic.visit(at(11, 30), 30).items()
        if key not in ("appointment_id", "patient_id")
    }
    missed_moved = moved(missed, at(14), 60)
    first = [feed.message(p) for p in clinic.catalog()]
    await feed.send(*first)
    await applied(runtime, feed.tenant_id, first)  # rules need the replica's zone and placements
    await clinic.templates(runtime)
    stream = [
        feed.message(AppointmentBooked(**done, status="pending")),
        feed.message(AppointmentConfirmed(**done, status="confirmed")),
        feed.message(AppointmentCompleted(**done, status="completed")),
        feed.message(AppointmentBooked(**missed, status="pending")),
        feed.message(
            AppointmentRescheduled(
                **missed_moved,
                status="confirmed",
                previous_start=missed["start"],
                previous_end=missed["end"],
                reschedule_count=1,
            )
        ),
        feed.message(AppointmentNoShow(**missed_moved, status="no_show")),
        feed.message(AppointmentBooked(**dropped, status="pending")),
        feed.message(
            AppointmentCancelled(
                **dropped,
                status="cancelled",
                cancelled_by=CancelledBy.PATIENT,
                reason="",
            )
        ),
        feed.message(AppointmentBooked(**kept, status="confirmed")),
        feed.message(AppointmentBooked(**shared, status="confirmed")),
        feed.message(AppointmentBooked(**elsewhere, status="confirmed")),
        feed.message(AppointmentHeld(**hold, status="held", hold_id=uuid4(), expires_at=at(11))),
    ]
    # Out of order: the move to 16:00 is sent before the booking it follows, which arrives late
    # with its older time and changes nothing.
    late_moved = moved(late, at(16), 30)
    reschedule_time = feed.clock + timedelta(seconds=30)
    booked_time = feed.clock + timedelta(seconds=10)
    stale_time = feed.clock - timedelta(hours=1)
    stream += [
        feed.message(
            AppointmentRescheduled(
                **late_moved,
                status="confirmed",
                previous_start=late["start"],
                previous_end=late["end"],
                reschedule_count=1,
            ),
            time=reschedule_time,
        ),
        feed.message(AppointmentBooked(**late, status="pending"), time=booked_time),
        # Stale: a cancelled visit "booked" again, a kept one "moved" to 09:00 — both older.
        feed.message(AppointmentBooked(**dropped, status="confirmed"), time=stale_time),
        feed.message(
            AppointmentRescheduled(
                **moved(kept, at(9), 30),
                status="confirmed",
                previous_start=kept["start"],
                previous_end=kept["end"],
                reschedule_count=1,
            ),
            time=stale_time,
        ),
    ]
    # Every message again, as a redelivery would bring it: the inbox drops them.
    await feed.send(*stream, *stream)
    await applied(runtime, feed.tenant_id, stream)
    return stream


def hour_table(day: dict[str, Any]) -> dict[int, tuple[int, float, float]]:
    return {
        h["hour"]: (h["booked_count"], h["booked_minutes"], h["available_minutes"])
        for h in day["hours"]
    }


async def test_events_and_rules_become_hourly_occupancy_with_outcomes_and_peaks(
    analytics: Analytics,
) -> None:
    clinic = Clinic(analytics.feed)
    await publish_monday(clinic, analytics.runtime)
    params = {"from": MONDAY.isoformat(), "to": MONDAY.isoformat()}
    response = await analytics.client.get(
        URL, params=params, headers=analytics.headers("receptionist")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["from"], body["to"]) == ("2030-03-04", "2030-03-04")
    report = {UUID(p["practitioner_id"]): p for p in body["practitioners"]}
    assert set(report) == {clinic.ada, clinic.ben}

    ada = report[clinic.ada]
    (day,) = ada["days"]
    assert (day["date"], day["location_id"], day["timezone"]) == (
        "2030-03-04",
        str(clinic.location),
        "Asia/Taipei",
    )
    # 09:00 completed (30), 14:00 no-show after its move (60), 11:00 shared (45), 15:30 kept
    # (30), 16:00 moved before its booking arrived (30); cancelled, held and Tuesday: nothing.
    assert hour_table(day) == {
        9: (1, 30, 60),
        10: (0, 0, 60),
        11: (1, 45, 60),
        14: (1, 60, 60),
        15: (1, 30, 60),
        16: (1, 30, 60),
    }
    assert day["hours"][0]["start"] == "2030-03-04T01:00:00Z"
    assert (ada["booked_count"], ada["booked_minutes"], ada["available_minutes"]) == (5, 195, 360)
    assert ada["utilisation"] == round(195 / 360, 4)
    assert (ada["completed_count"], ada["no_show_count"], ada["no_show_rate"]) == (1, 1, 0.5)
    assert [(p["hour"], p["booked_minutes"]) for p in ada["peak_hours"]] == [
        (14, 60),
        (11, 45),
        (9, 30),
    ]

    ben = report[clinic.ben]
    assert hour_table(ben["days"][0]) == {9: (0, 0, 60), 10: (0, 0, 60), 11: (1, 45, 60)}
    assert (ben["utilisation"], ben["no_show_rate"]) == (0.25, None)

    # Both handlers ran on every appointment event: the replica and the projection agree.
    async with tenant_transaction(analytics.runtime.sessions, analytics.feed.tenant_id) as s:
        replica = dict(
            (
                await s.execute(
                    select(booked_intervals.c.appointment_id, booked_intervals.c.status).where(
                        booked_intervals.c.kind == "appointment"
                    )
                )
            ).all()
        )
        facts = dict(
            (
                await s.execute(select(occupancy_facts.c.appointment_id, occupancy_facts.c.status))
            ).all()
        )
    assert facts == replica
    assert sorted(facts.values()) == sorted(
        ["completed", "no_show", "cancelled", "confirmed", "confirmed", "confirmed", "confirmed"]
    )


async def test_filters_roles_and_tenants(analytics: Analytics) -> None:
    clinic = Clinic(analytics.feed)
    await publish_monday(clinic, analytics.runtime)
    params = {"from": "2030-03-01", "to": "2030-03-31"}

    async def practitioners(headers: dict[str, str], **extra: str) -> list[str]:
        response = await analytics.client.get(URL, params={**params, **extra}, headers=headers)
        assert response.status_code == 200, response.text
        return [p["practitioner_id"] for p in response.json()["practitioners"]]

    admin = analytics.headers("admin")
    assert await practitioners(admin, practitioner_id=str(clinic.ben)) == [str(clinic.ben)]
    assert sorted(await practitioners(admin, location_id=str(clinic.location))) == sorted(
        [str(clinic.ada), str(clinic.ben)]
    )
    assert await practitioners(admin, location_id=str(uuid4())) == []
    assert len(await practitioners(analytics.headers("clinic_manager"))) == 2
    # A month holds Ada's Tuesday visit too, and her template's other Mondays.
    response = await analytics.client.get(
        URL, params={**params, "practitioner_id": str(clinic.ada)}, headers=admin
    )
    (ada,) = response.json()["practitioners"]
    assert [d["date"] for d in ada["days"]] == [
        "2030-03-04",
        "2030-03-05",
        "2030-03-11",
        "2030-03-18",
        "2030-03-25",
    ]
    assert (ada["booked_count"], ada["available_minutes"]) == (6, 4 * 360)

    other_tenant = analytics.headers("admin", tenant_id=uuid4())
    assert await practitioners(other_tenant) == []
    assert await practitioners(other_tenant, practitioner_id=str(clinic.ada)) == []
    for role in ("hygienist", "practitioner"):
        own = analytics.headers(role, practitioner_id=clinic.ada)
        response = await analytics.client.get(URL, params=params, headers=own)
        assert response.status_code == 403, role
        assert response.headers["content-type"] == "application/problem+json"
