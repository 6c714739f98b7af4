"""`python -m schedules rebuild` replays the consumed topics into the same state the live consumer
built, repairs a damaged replica, and leaves the live consumer applying new events exactly once."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import delete, insert, select, update

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentFlaggedOutsideHours,
    AppointmentHeld,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentTypeUpserted,
    BusyTimesReplaced,
    CancelledBy,
    EquipmentUpserted,
    HoldReleased,
    HoldReleaseReason,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
    RoomRetired,
    RoomUpserted,
)
from clinic_contracts.codec import KafkaMessage
from clinic_platform.inbox import Outcome
from clinic_platform.inbox.replay import Projection, rebuild_service
from clinic_platform.runtime import Runtime
from clinic_platform.store.platform_tables import inbox
from clinic_platform.store.sessions import tenant_transaction
from schedules.events import HANDLERS
from schedules.store import tables
from schedules.store.schema import REBUILT_TABLES

from .conftest import Feed

pytestmark = pytest.mark.integration
START = datetime(2030, 6, 3, 1, 0, tzinfo=UTC)
Snapshot = dict[str, list[dict[str, Any]]]


async def snapshot(runtime: Runtime, tenant_id: UUID) -> Snapshot:
    """Every rebuilt table's rows of the tenant, `updated_at` aside (the rebuild's own clock)."""
    found: Snapshot = {}
    async with tenant_transaction(runtime.sessions, tenant_id) as session:
        for name in REBUILT_TABLES:
            rows = (await session.execute(select(tables.metadata.tables[name]))).mappings()
            found[name] = sorted(
                ({k: v for k, v in row.items() if k != "updated_at"} for row in rows), key=str
            )
    return found


async def applied(runtime: Runtime, tenant_id: UUID, messages: list[KafkaMessage]) -> None:
    """Wait until the inbox holds every one of `messages`."""
    wanted = {dict(m.headers)["ce_id"].decode() for m in messages}
    for _ in range(300):
        async with tenant_transaction(runtime.sessions, tenant_id) as session:
            seen = set(await session.scalars(select(inbox.c.event_id)))
        if wanted <= seen:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never applied: {wanted - seen}")


def history(feed: Feed) -> list[KafkaMessage]:
    """A clinic's realistic stream: catalog, holds, bookings, moves, cancellations, outcomes,
    busy times, with redeliveries and stale events that arrive late."""
    location, kind, doctor, locum = uuid4(), uuid4(), uuid4(), uuid4()
    room, old_room, scanner = uuid4(), uuid4(), uuid4()
    hold, converted, moved, cancelled, done, missed = (uuid4() for _ in range(6))
    connection = uuid4()
    base: dict[str, Any] = {
        "practitioner_id": doctor,
        "practitioner_ids": [doctor],
        "location_id": location,
        "appointment_type_id": kind,
        "buffer_before_minutes": 5,
        "buffer_after_minutes": 10,
    }

    def at(hours: int, minutes: int = 30) -> dict[str, Any]:
        start = START + timedelta(hours=hours)
        return {**base, "start": start, "end": start + timedelta(minutes=minutes)}

    def appointment(appointment_id: UUID, hours: int) -> dict[str, Any]:
        return {**at(hours), "appointment_id": appointment_id, "patient_id": uuid4()}

    def busy(*hours: int) -> BusyTimesReplaced:
        intervals = [
            {"start": START + timedelta(hours=h), "end": START + timedelta(hours=h, minutes=45)}
            for h in hours
        ]
        return BusyTimesReplaced(
            practitioner_id=doctor,
            connection_id=connection,
            window_start=START - timedelta(days=1),
            window_end=START + timedelta(days=14),
            intervals=intervals,
        )

    def place(name: str) -> LocationUpserted:
        return LocationUpserted(
            location_id=location, name=name, address="", timezone="Asia/Taipei", active=True
        )

    def person(practitioner_id: UUID, name: str) -> PractitionerUpserted:
        return PractitionerUpserted(
            practitioner_id=practitioner_id,
            display_name=name,
            status="active",
            location_ids=[location],
            specialties=[],
        )

    offering = AppointmentTypeUpserted(
        appointment_type_id=kind,
        slug="checkup",
        name="Check-up",
        duration_minutes=30,
        buffer_before_minutes=5,
        buffer_after_minutes=10,
        min_notice_minutes=60,
        max_future_days=90,
        reschedule_limit=2,
        cancellation_notice_minutes=0,
        consultation_mode="in_person",
        price="40.00",
        currency="TWD",
        active=True,
        default_room_id=room,
        required_equipment_ids=[scanner],
    )
    stale_time = feed.clock - timedelta(hours=1)  # older than anything below
    stale = [
        feed.message(place("Stale name"), time=stale_time),
        feed.message(
            AppointmentBooked(**appointment(cancelled, 9), status="pending"), time=stale_time
        ),
        feed.message(busy(), time=stale_time),
        feed.message(person(locum, "Dr. Stale"), time=stale_time),
    ]
    messages = [
        feed.message(p)
        for p in (
            place("Da'an"),
            place("Da'an Clinic"),
            person(doctor, "Dr. Lin"),
            person(locum, "Dr. Wu"),
            RoomUpserted(room_id=room, location_id=location, name="1", capacity=1, virtual=False),
            RoomUpserted(
                room_id=old_room, location_id=location, name="2", capacity=1, virtual=False
            ),
            RoomRetired(room_id=old_room),
            EquipmentUpserted(equipment_id=scanner, location_id=location, name="X-ray"),
            offering,
            AppointmentHeld(**at(1), status="held", hold_id=hold, expires_at=START),
            AppointmentBooked(**appointment(converted, 1), status="pending", hold_id=hold),
            HoldReleased(
                hold_id=hold,
                practitioner_id=doctor,
                reason=HoldReleaseReason.CONVERTED,
                appointment_id=converted,
            ),
            AppointmentConfirmed(**appointment(converted, 1), status="confirmed"),
            AppointmentBooked(**appointment(moved, 3), status="pending"),
            AppointmentRescheduled(
                **appointment(moved, 5),
                status="pending",
                previous_start=START + timedelta(hours=3),
                previous_end=START + timedelta(hours=3, minutes=30),
                reschedule_count=1,
            ),
            AppointmentFlaggedOutsideHours(
                **appointment(moved, 5), status="pending", decided_by="fallback_default_hours"
            ),
            AppointmentBooked(**appointment(cancelled, 9), status="pending"),
            AppointmentCancelled(
                **appointment(cancelled, 9),
                status="cancelled",
                cancelled_by=CancelledBy.CLINIC,
                reason="practitioner ill",
            ),
            AppointmentBooked(**appointment(done, 11), status="confirmed"),
            AppointmentCompleted(**appointment(done, 11), status="completed"),
            AppointmentBooked(**appointment(missed, 13), status="confirmed"),
            AppointmentNoShow(**appointment(missed, 13), status="no_show"),
            busy(2, 6),
            busy(4, 7, 8),
            PractitionerRetired(practitioner_id=locum),
        )
    ]
    # Redeliveries of a few (same ids), then the stale ones: both must change nothing.
    return [*messages, messages[0], messages[13], messages[-2], *stale]


async def run_rebuild_command(runtime: Runtime) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "SCHEDULES_DATABASE_URL": runtime.settings.database_url,
        "SCHEDULES_KAFKA_BOOTSTRAP_SERVERS": runtime.settings.kafka_bootstrap_servers,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "schedules", "rebuild"),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 180)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_rebuild_command_ends_in_the_state_the_live_consumer_built_and_repairs_damage(
    schedules: tuple[Runtime, Feed],
) -> None:
    runtime, feed = schedules
    stream = history(feed)
    await feed.send(*stream)
    await applied(runtime, feed.tenant_id, stream)
    live = await snapshot(runtime, feed.tenant_id)
    empty = [name for name in REBUILT_TABLES if not live[name]]
    assert not empty, f"extend history() so that {empty} have rows to compare"
    async with tenant_transaction(runtime.sessions, feed.tenant_id) as session:
        await session.execute(update(tables.booked_intervals).values(status="cancelled"))
        await session.execute(delete(tables.locations))
        row = live["busy_intervals"][0]
        bogus = {**row, "start_at": START - timedelta(days=3), "end_at": START - timedelta(days=2)}
        await session.execute(insert(tables.busy_intervals).values(bogus))
    assert await snapshot(runtime, feed.tenant_id) != live

    code, out, err = await run_rebuild_command(runtime)

    assert code == 0, err[-3000:]
    assert await snapshot(runtime, feed.tenant_id) == live
    summary = out.splitlines()
    assert summary[0].startswith("rebuilt in ")
    assert {line.split(":")[0].strip() for line in summary[1:]} == {
        "booking.catalog.v1",
        "booking.appointments.v1",
        "calendar_sync.external.v1",
    }


async def test_after_a_rebuild_the_live_consumer_applies_each_new_event_exactly_once(
    schedules: tuple[Runtime, Feed],
) -> None:
    runtime, feed = schedules
    stream = history(feed)
    await feed.send(*stream)
    await applied(runtime, feed.tenant_id, stream)
    projection = Projection(HANDLERS, REBUILT_TABLES)
    rebuilt = await rebuild_service(runtime.settings, projection, feed.tenant_id)
    # Only this tenant's records apply (other tests' tenants are ignored); redeliveries dedup.
    assert rebuilt.total(Outcome.APPLIED) == len({dict(m.headers)["ce_id"] for m in stream})
    assert rebuilt.total(Outcome.DUPLICATE) == 3
    assert runtime.consumer is not None
    before = Counter(runtime.consumer.stats)

    practitioner = uuid4()
    new = feed.message(
        PractitionerUpserted(
            practitioner_id=practitioner,
            display_name="Dr. Hsu",
            status="active",
            location_ids=[],
            specialties=[],
        )
    )
    await feed.send(new, new, *stream[:3])  # the new event twice, and old ones again
    await applied(runtime, feed.tenant_id, [new])
    for _ in range(300):
        seen = Counter(runtime.consumer.stats) - before
        if seen.total() >= 5:
            break
        await asyncio.sleep(0.1)

    assert seen == Counter({Outcome.APPLIED: 1, Outcome.DUPLICATE: 4})
    state = await snapshot(runtime, feed.tenant_id)
    assert [p["display_name"] for p in state["practitioners"] if p["id"] == practitioner] == [
        "Dr. Hsu"
    ]
