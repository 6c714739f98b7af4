"""Reminders fire once and never late or for cancelled appointments; replicas are idempotent."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import select

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    PatientErased,
    PatientUpserted,
)
from clinic_platform.store.sessions import tenant_transaction
from notifications.service.reminders import queue_due
from notifications.store.tables import deliveries, patients, reminders

pytestmark = pytest.mark.integration
API = "/api/v1/notifications"


def booked(clinic: Any, start: datetime) -> AppointmentBooked:
    return AppointmentBooked(
        appointment_id=uuid4(),
        patient_id=clinic.patient_id,
        practitioner_id=clinic.practitioner_id,
        practitioner_ids=[clinic.practitioner_id],
        location_id=clinic.location_id,
        appointment_type_id=clinic.type_id,
        start=start,
        end=start + timedelta(minutes=30),
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        status="pending",
    )


async def rows(service: Any, table: Any, **where: Any) -> list[Any]:
    async with tenant_transaction(service.runtime.sessions, service.feed.tenant_id) as session:
        query = select(table).where(*[table.c[k] == v for k, v in where.items()])
        return list((await session.execute(query)).mappings().all())


async def test_a_due_reminder_is_sent_once_and_none_for_a_cancelled_appointment(
    service: Any, seed: Any
) -> None:
    plan = await service.client.put(
        f"{API}/reminder-plan", json={"offsets_minutes": [1]}, headers=service.headers("admin")
    )
    assert plan.status_code == 200, plan.text
    clinic = await seed(language="en")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=66)
    kept, dropped = booked(clinic, start), booked(clinic, start + timedelta(seconds=1))
    await service.feed.publish(kept, dropped)
    await service.inbox.wait_for(clinic.email, count=2)  # the two confirmations
    values = dropped.model_dump(exclude={"hold_id"}) | {"status": "cancelled"}
    await service.feed.publish(AppointmentCancelled(**values, cancelled_by="patient", reason=""))
    await service.inbox.wait_for(clinic.email, count=3)  # the cancellation notice

    emails = await service.inbox.wait_for(clinic.email, count=4, timeout_s=25)
    reminders_sent = [m for m in emails if m["Subject"].startswith("Reminder:")]
    assert len(reminders_sent) == 1
    assert "appointment in 60 seconds:" in reminders_sent[0].get_body(("plain",)).get_content()
    await asyncio.sleep(1.0)
    assert len(service.inbox.to(clinic.email)) == 4  # nothing for the cancelled one, no repeat
    states = {r["appointment_id"]: r["state"] for r in await rows(service, reminders)}
    assert states == {kept.appointment_id: "queued", dropped.appointment_id: "withdrawn"}


async def test_a_reminder_found_after_the_appointment_started_is_never_sent(
    service: Any, seed: Any
) -> None:
    clinic = await seed(language="en")
    start = datetime.now(UTC) + timedelta(days=2)
    event = booked(clinic, start)
    await service.feed.publish(event)
    await service.inbox.wait_for(clinic.email)
    # The service was away until after the start: the scheduler finds both reminders due.
    taken = await queue_due(service.runtime, 100, now=start + timedelta(minutes=1))
    assert taken == 2
    found = await rows(service, reminders, appointment_id=event.appointment_id)
    assert {r["state"] for r in found} == {"missed"}
    sent = await rows(service, deliveries, appointment_id=event.appointment_id)
    assert [d["kind"] for d in sent] == ["appointment_confirmation"]


async def test_patient_replica_keeps_the_newest_event_and_an_erasure_removes_the_data(
    service: Any,
) -> None:
    patient_id, feed = uuid4(), service.feed

    def version(name: str) -> PatientUpserted:
        return PatientUpserted(
            patient_id=patient_id,
            name=name,
            email="a@example.org",
            preferred_language="en",
            preferred_channel="email",
        )

    now = datetime.now(UTC)
    newer = feed.message(version("Newer"), time=now)
    older = feed.message(version("Older"), time=now - timedelta(minutes=1))
    await feed.send(newer, older, newer)  # out of order, and a redelivery
    for _ in range(200):
        found = await rows(service, patients, id=patient_id)
        if found:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    [row] = await rows(service, patients, id=patient_id)
    assert row["name"] == "Newer"

    erased = PatientErased(patient_id=patient_id, erased_at=now)
    await feed.send(feed.message(erased, time=now + timedelta(seconds=1)))
    # An upsert older than the erasure arriving late must not bring the data back.
    await feed.send(feed.message(version("Zombie"), time=now + timedelta(milliseconds=500)))
    for _ in range(200):
        [row] = await rows(service, patients, id=patient_id)
        if row["erased"]:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    [row] = await rows(service, patients, id=patient_id)
    assert row["erased"] is True
    assert (row["name"], row["email"], row["preferred_language"]) == (None, None, None)
