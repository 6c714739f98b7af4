"""Published contract events become replica rows; replays and stale events change nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import select

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentHeld,
    AppointmentRescheduled,
    AppointmentTypeUpserted,
    BusyTimesReplaced,
    CancelledBy,
    HoldReleased,
    HoldReleaseReason,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
)
from clinic_platform.runtime import Runtime
from clinic_platform.store.platform_tables import inbox
from clinic_platform.store.sessions import tenant_transaction
from schedules.store import tables

from .conftest import Feed

pytestmark = pytest.mark.integration
REPLICAS = [
    tables.locations,
    tables.practitioners,
    tables.appointment_types,
    tables.booked_intervals,
    tables.busy_windows,
    tables.busy_intervals,
]
START = datetime(2030, 3, 4, 2, 0, tzinfo=UTC)


async def snapshot(runtime: Runtime, tenant_id: UUID) -> dict[str, list[dict[str, Any]]]:
    """Every replica row of the tenant, `updated_at` aside (a no-op may still touch it)."""
    found: dict[str, list[dict[str, Any]]] = {}
    async with tenant_transaction(runtime.sessions, tenant_id) as session:
        for table in REPLICAS:
            rows = (await session.execute(select(table))).mappings().all()
            found[table.name] = sorted(
                ({k: v for k, v in row.items() if k != "updated_at"} for row in rows), key=str
            )
    return found


async def eventually(runtime: Runtime, tenant_id: UUID, check: Any) -> dict[str, Any]:
    """Poll the replicas until `check(snapshot)` holds (30 s at most)."""
    for _ in range(300):
        state = await snapshot(runtime, tenant_id)
        if check(state):
            return state
        await asyncio.sleep(0.1)
    raise AssertionError(f"replicas never got there: {state}")


async def processed(runtime: Runtime, tenant_id: UUID, event_ids: set[str]) -> None:
    """Wait until the inbox holds every one of `event_ids`."""
    for _ in range(300):
        async with tenant_transaction(runtime.sessions, tenant_id) as session:
            seen = set((await session.execute(select(inbox.c.event_id))).scalars())
        if event_ids <= seen:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never processed: {event_ids - seen}")


def event_id(message: Any) -> str:
    return dict(message.headers)["ce_id"].decode()


async def test_events_build_replicas_and_replays_or_stale_events_change_nothing(
    schedules: tuple[Runtime, Feed],
) -> None:
    runtime, feed = schedules
    location, practitioner, kind = uuid4(), uuid4(), uuid4()
    hold, appointment, patient, connection = uuid4(), uuid4(), uuid4(), uuid4()
    occupation: dict[str, Any] = {
        "practitioner_id": practitioner,
        "practitioner_ids": [practitioner],
        "location_id": location,
        "appointment_type_id": kind,
        "start": START,
        "end": START + timedelta(minutes=30),
        "buffer_before_minutes": 5,
        "buffer_after_minutes": 10,
    }
    booked = {**occupation, "appointment_id": appointment, "patient_id": patient}
    moved = {**booked, "start": START + timedelta(hours=2), "end": START + timedelta(hours=3)}
    window = {
        "practitioner_id": practitioner,
        "connection_id": connection,
        "window_start": START - timedelta(days=1),
        "window_end": START + timedelta(days=30),
    }

    def busy(*hours: int) -> BusyTimesReplaced:
        return BusyTimesReplaced(
            **window,
            intervals=[
                {"start": START + timedelta(hours=h), "end": START + timedelta(hours=h + 1)}
                for h in hours
            ],
        )

    first = await feed.publish(
        LocationUpserted(
            location_id=location, name="Da'an", address="", timezone="Asia/Taipei", active=True
        ),
        PractitionerUpserted(
            practitioner_id=practitioner,
            display_name="Dr. Lin",
            status="active",
            location_ids=[location],
            specialties=[],
        ),
        AppointmentTypeUpserted(
            appointment_type_id=kind,
            slug="consultation",
            name="Consultation",
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
        ),
        AppointmentHeld(
            **occupation, status="held", hold_id=hold, expires_at=START - timedelta(days=1)
        ),
        AppointmentBooked(**booked, status="pending", hold_id=hold),
        HoldReleased(
            hold_id=hold,
            practitioner_id=practitioner,
            reason=HoldReleaseReason.CONVERTED,
            appointment_id=appointment,
        ),
        AppointmentRescheduled(
            **moved,
            status="confirmed",
            previous_start=booked["start"],
            previous_end=booked["end"],
            reschedule_count=1,
        ),
        busy(5, 8),
    )

    def settled(state: dict[str, Any]) -> bool:
        rows = {row["appointment_id"]: row for row in state["booked_intervals"]}
        return (
            appointment in rows
            and rows[appointment]["start_at"] == moved["start"]
            and rows.get(hold, {}).get("status") == "released"
            and len(state["busy_intervals"]) == 2
            and all(state[name] for name in ("locations", "practitioners", "appointment_types"))
        )

    before = await eventually(runtime, feed.tenant_id, settled)
    (place,) = before["locations"]
    assert (place["name"], place["timezone"], place["active"], place["retired"]) == (
        "Da'an",
        "Asia/Taipei",
        True,
        False,
    )
    (doctor,) = before["practitioners"]
    assert (doctor["status"], doctor["location_ids"]) == ("active", [location])
    (offering,) = before["appointment_types"]
    assert (offering["duration_minutes"], offering["min_notice_minutes"]) == (30, 60)
    rows = {row["appointment_id"]: row for row in before["booked_intervals"]}
    interval = rows[appointment]
    assert interval["kind"] == "appointment"
    assert interval["status"] == "confirmed"
    assert interval["practitioner_ids"] == [practitioner]
    assert (interval["blocked_from"], interval["blocked_until"]) == (
        moved["start"] - timedelta(minutes=5),
        moved["end"] + timedelta(minutes=10),
    )
    assert rows[hold]["kind"] == "hold"
    assert rows[hold]["expires_at"] == START - timedelta(days=1)
    assert sorted(row["start_at"] for row in before["busy_intervals"]) == [
        START + timedelta(hours=5),
        START + timedelta(hours=8),
    ]

    # The same messages again (the inbox drops them), then stale versions with new ids and older
    # times (last writer wins drops them); each stale one follows its replay on its partition.
    stale_time = feed.clock - timedelta(hours=1)
    stale = [
        feed.message(
            LocationUpserted(
                location_id=location, name="Stale", address="", timezone="UTC", active=False
            ),
            time=stale_time,
        ),
        feed.message(AppointmentBooked(**booked, status="pending"), time=stale_time),
        feed.message(busy(), time=stale_time),
    ]
    await feed.send(*first, *stale)
    await processed(runtime, feed.tenant_id, {event_id(message) for message in stale})
    assert await snapshot(runtime, feed.tenant_id) == before

    # Newer events apply: a cancellation, a new busy set, a retirement.
    await feed.publish(
        AppointmentCancelled(
            **moved, status="cancelled", cancelled_by=CancelledBy.PATIENT, reason=""
        ),
        busy(12),
        PractitionerRetired(practitioner_id=practitioner),
    )

    def cancelled(state: dict[str, Any]) -> bool:
        rows = {row["appointment_id"]: row for row in state["booked_intervals"]}
        return (
            rows[appointment]["status"] == "cancelled"
            and [row["start_at"] for row in state["busy_intervals"]]
            == [START + timedelta(hours=12)]
            and state["practitioners"][0]["retired"]
        )

    after = await eventually(runtime, feed.tenant_id, cancelled)
    assert after["practitioners"][0]["display_name"] == "Dr. Lin"


async def test_a_hold_converted_in_place_stays_one_occupying_appointment(
    schedules: tuple[Runtime, Feed],
) -> None:
    # Booking keeps the hold's id when it converts it: held, released (converted), booked.
    runtime, feed = schedules
    practitioner, same_id = uuid4(), uuid4()
    occupation: dict[str, Any] = {
        "practitioner_id": practitioner,
        "practitioner_ids": [practitioner],
        "location_id": uuid4(),
        "appointment_type_id": uuid4(),
        "start": START,
        "end": START + timedelta(minutes=30),
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
    }
    await feed.publish(
        AppointmentHeld(
            **occupation, status="held", hold_id=same_id, expires_at=START - timedelta(days=1)
        ),
        HoldReleased(
            hold_id=same_id,
            practitioner_id=practitioner,
            reason=HoldReleaseReason.CONVERTED,
            appointment_id=same_id,
        ),
        AppointmentBooked(
            **occupation,
            status="pending",
            appointment_id=same_id,
            patient_id=uuid4(),
            hold_id=same_id,
        ),
    )

    def booked(state: dict[str, Any]) -> bool:
        rows = [r for r in state["booked_intervals"] if r["appointment_id"] == same_id]
        return bool(rows) and rows[0]["kind"] == "appointment"

    state = await eventually(runtime, feed.tenant_id, booked)
    (row,) = [r for r in state["booked_intervals"] if r["appointment_id"] == same_id]
    assert (row["status"], row["expires_at"]) == ("pending", None)
