"""A clinic for the rules API tests: Berlin and New York, three practitioners, two types, fed
through booking's events; helpers to read what schedules publishes and to check problems."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select

from clinic_contracts import (
    AppointmentBooked,
    AppointmentTypeUpserted,
    LocationUpserted,
    PractitionerUpserted,
)
from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.topic_reader import Message, TopicReader
from schedules.store import tables

from .conftest import Api

TOPIC = "schedules.availability.v1"
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
MARKED = "clinic.schedules.appointments.outside_hours.v1"


def next_monday() -> date:
    day = datetime.now(BERLIN).date() + timedelta(days=14)
    return day + timedelta(days=-day.weekday() % 7)


@dataclass
class Clinic:
    """Berlin (L) and New York (N); P works at both, Q and the hygienist H at L; two types."""

    api: Api
    monday: date = field(default_factory=next_monday)
    berlin: UUID = field(default_factory=uuid4)
    new_york: UUID = field(default_factory=uuid4)
    p: UUID = field(default_factory=uuid4)
    q: UUID = field(default_factory=uuid4)
    h: UUID = field(default_factory=uuid4)
    kind: UUID = field(default_factory=uuid4)
    other_kind: UUID = field(default_factory=uuid4)
    reader: TopicReader | None = None

    def as_(self, role: str, practitioner_id: UUID | None = None) -> dict[str, str]:
        return self.api.headers(role, practitioner_id=practitioner_id)

    def local(self, hour: int, minute: int = 0, days: int = 0) -> datetime:
        return datetime.combine(self.monday + timedelta(days=days), time(hour, minute), BERLIN)

    async def book(
        self, start: datetime, *, who: UUID | None = None, kind: UUID | None = None
    ) -> UUID:
        """A pending 30-minute appointment, as booking announces it; waits for the replica."""
        appointment, practitioner = uuid4(), who or self.p
        await self.api.feed.publish(
            AppointmentBooked(
                appointment_id=appointment,
                patient_id=uuid4(),
                practitioner_id=practitioner,
                practitioner_ids=[practitioner],
                location_id=self.berlin,
                appointment_type_id=kind or self.kind,
                start=start.astimezone(UTC),
                end=(start + timedelta(minutes=30)).astimezone(UTC),
                buffer_before_minutes=0,
                buffer_after_minutes=0,
                status="pending",
            )
        )
        await self.settled(
            tables.booked_intervals, tables.booked_intervals.c.appointment_id == appointment
        )
        return appointment

    async def rows(self, table: Table, *where: Any) -> list[Any]:
        async with tenant_transaction(self.api.runtime.sessions, self.api.feed.tenant_id) as s:
            return list(await s.execute(select(table).where(*where)))

    async def settled(self, table: Table, *where: Any, expected: int = 1) -> None:
        """Wait until the consumer has applied the events (30 s at most)."""
        for _ in range(300):
            async with tenant_transaction(self.api.runtime.sessions, self.api.feed.tenant_id) as s:
                query = select(func.count()).select_from(table).where(*where)
                if int(await s.scalar(query) or 0) >= expected:
                    return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{table.name} never reached {expected} rows")

    async def listen(self) -> None:
        """Remember the topic's end: `published` reads only what comes after."""
        self.reader = await TopicReader(self.api.settings.kafka_bootstrap_servers, TOPIC).mark()

    async def published(self, *types: str) -> list[Message]:
        """This tenant's events since `listen`, once all of `types` (in any order) arrived."""
        assert self.reader is not None
        tenant = str(self.api.feed.tenant_id)
        wanted = [full_type(t) for t in types]

        def complete(found: list[Message]) -> bool:
            seen = [m.headers["ce_type"] for m in found]
            return all(seen.count(t) >= wanted.count(t) for t in wanted)

        found = await self.reader.read(
            complete, timeout_s=30, accept=lambda m: m.headers.get("ce_tenantid") == tenant
        )
        assert complete(found), [m.headers["ce_type"] for m in found]
        return found


def full_type(name: str) -> str:
    """ "exception.created" → "clinic.schedules.exception.created.v1"."""
    return name if name.startswith("clinic.") else f"clinic.schedules.{name}.v1"


def body_of(messages: list[Message], event_type: str) -> list[dict[str, Any]]:
    full = full_type(event_type)
    return [json.loads(m.value) for m in messages if m.headers["ce_type"] == full]


async def open_clinic(api: Api) -> Clinic:
    """The catalog through booking's events, applied to the replicas."""
    clinic = Clinic(api)
    await api.feed.publish(
        LocationUpserted(
            location_id=clinic.berlin,
            name="Mitte",
            address="",
            timezone="Europe/Berlin",
            active=True,
        ),
        LocationUpserted(
            location_id=clinic.new_york,
            name="SoHo",
            address="",
            timezone="America/New_York",
            active=True,
        ),
        *(
            PractitionerUpserted(
                practitioner_id=who,
                display_name=f"Dr. {who.hex[:4]}",
                status="active",
                location_ids=at,
                specialties=[],
            )
            for who, at in (
                (clinic.p, [clinic.berlin, clinic.new_york]),
                (clinic.q, [clinic.berlin]),
                (clinic.h, [clinic.berlin]),
            )
        ),
        *(
            AppointmentTypeUpserted(
                appointment_type_id=kind,
                slug=f"type-{kind.hex[:6]}",
                name="Check-up",
                duration_minutes=30,
                buffer_before_minutes=0,
                buffer_after_minutes=0,
                min_notice_minutes=0,
                max_future_days=365,
                reschedule_limit=2,
                cancellation_notice_minutes=0,
                consultation_mode="in_person",
                price="40.00",
                currency="EUR",
                active=True,
            )
            for kind in (clinic.kind, clinic.other_kind)
        ),
    )
    await clinic.settled(tables.practitioners, expected=3)
    await clinic.settled(tables.locations, expected=2)
    await clinic.settled(tables.appointment_types, expected=2)
    return clinic


def week(**days: list[tuple[str, str]]) -> dict[str, list[dict[str, str]]]:
    return {
        day: [{"start_time": a, "end_time": b} for a, b in spans] for day, spans in days.items()
    }


async def put_week(
    clinic: Clinic,
    headers: dict[str, str],
    who: UUID | None = None,
    confirm: bool = False,
    **body: Any,
) -> Any:
    params = {"confirm": "true"} if confirm else {}
    body.setdefault("location_id", str(clinic.berlin))
    return await clinic.api.client.put(
        f"/practitioners/{who or clinic.p}/availability/default",
        json=body,
        headers=headers,
        params=params,
    )


def problem(answer: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = answer.json()
    assert doc["code"] == code, doc
    if field is not None:
        named = [doc.get("field"), *(e["field"] for e in doc.get("errors", []))]
        assert field in named, doc
    return doc
