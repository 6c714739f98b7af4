"""The demo's bookings in the coming days, made at the front desk from the slots schedules offers.

A booking is kept when the patient already has an active one with that practitioner and type
ahead; otherwise the first free slot of the practitioner's n-th working day from tomorrow is
booked (so a run on a later day books afresh only what has passed).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_demo.api import Api, Json
from clinic_demo.clinic import BookingSeed, DemoClinic
from clinic_demo.hours import local_today
from clinic_demo.report import DemoIds, Report

ACTIVE = ("pending", "confirmed")
LOOK_AHEAD_DAYS = 28


def ensure_bookings(desk: Api, clinic: DemoClinic, ids: DemoIds, report: Report) -> None:
    for seed in clinic.bookings:
        ensure_booking(desk, clinic, seed, ids, report)


def ensure_booking(
    desk: Api, clinic: DemoClinic, seed: BookingSeed, ids: DemoIds, report: Report
) -> None:
    patient = next(p for p in clinic.patients if p.key == seed.patient)
    doctor = next(p for p in clinic.practitioners if p.key == seed.practitioner)
    what = f"booking: {patient.name} with {doctor.display_name}, {seed.type_slug}"
    ahead = _active_ahead(desk, seed, ids)
    if ahead is not None:
        report.keep(f"{what} at {_local(ahead['start_at'], clinic)}")
        return
    start = _slot(desk, clinic, seed, ids)
    body = {
        "appointment_type_id": str(ids.types[seed.type_slug]),
        "location_id": str(ids.location_id),
        "practitioner_ids": [str(ids.practitioners[seed.practitioner])],
        "patient_id": str(ids.patients[seed.patient]),
        "start_at": start,
    }
    # The same request retried (e.g. after a timeout) replays the first answer: no double booking.
    key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"clinic-demo:{sorted(body.items())}"))
    desk.post(desk.booking("/appointments"), body, headers={"Idempotency-Key": key})
    report.create(f"{what} at {_local(start, clinic)}")


def _active_ahead(desk: Api, seed: BookingSeed, ids: DemoIds) -> Json | None:
    now = datetime.now(UTC)
    page = desk.get(
        desk.booking("/appointments"),
        **{
            "from": now.isoformat(),
            "to": (now + timedelta(days=120)).isoformat(),
            "patient_id": str(ids.patients[seed.patient]),
            "practitioner_id": str(ids.practitioners[seed.practitioner]),
        },
    )
    wanted = str(ids.types[seed.type_slug])
    return next(
        (a for a in page["items"] if a["status"] in ACTIVE and a["appointment_type_id"] == wanted),
        None,
    )


def _slot(desk: Api, clinic: DemoClinic, seed: BookingSeed, ids: DemoIds) -> str:
    """Start of the first free slot at or after `not_before` on the n-th working day."""
    working_days = 0
    first = local_today(clinic) + timedelta(days=1)
    for offset in range(LOOK_AHEAD_DAYS):
        slots = _slots(desk, seed, ids, first + timedelta(days=offset))
        if not slots:
            continue
        working_days += 1
        if working_days == seed.nth_day:
            later = [s for s in slots if s["local_start"][11:16] >= seed.not_before]
            return str((later or slots)[0]["start"])
    raise LookupError(
        f"no free {seed.type_slug} slot of {seed.practitioner} in the next {LOOK_AHEAD_DAYS} days"
    )


def _slots(desk: Api, seed: BookingSeed, ids: DemoIds, day: date) -> list[Json]:
    practitioner = ids.practitioners[seed.practitioner]
    answer = desk.get(
        desk.schedules(f"/practitioners/{practitioner}/availability/slots"),
        date=day.isoformat(),
        appointment_type_id=str(ids.types[seed.type_slug]),
        location_id=str(ids.location_id),
    )
    slots: list[Json] = answer["slots"]
    return slots


def _local(instant: str, clinic: DemoClinic) -> str:
    at = datetime.fromisoformat(instant).astimezone(ZoneInfo(clinic.location.timezone))
    return at.strftime("%a %Y-%m-%d %H:%M")
