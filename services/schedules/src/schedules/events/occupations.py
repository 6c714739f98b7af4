"""Replica of occupied time: holds and appointments as booked intervals (event-carried state).

Every appointment event carries the whole occupation after the change, so each one simply
overwrites the row (last writer wins by event time): booked/confirmed/rescheduled move or keep
it occupying, cancelled/declined free it, completed/no-show keep it as history.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import (
    AppointmentBooked,
    AppointmentEvent,
    AppointmentFlaggedOutsideHours,
    AppointmentHeld,
    AppointmentRescheduled,
    HoldReleased,
    Occupation,
)
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.store.replicas import update_if_newer, upsert_latest
from schedules.store.tables import booked_intervals

RELEASED = "released"  # a hold that no longer occupies anything (not a contract status)


def _occupation(payload: Occupation) -> dict[str, Any]:
    return {
        "status": payload.status.value,
        "practitioner_ids": list(payload.practitioner_ids),
        "location_id": payload.location_id,
        "appointment_type_id": payload.appointment_type_id,
        "start_at": payload.start,
        "end_at": payload.end,
        "buffer_before_minutes": payload.buffer_before_minutes,
        "buffer_after_minutes": payload.buffer_after_minutes,
        "blocked_from": payload.start - timedelta(minutes=payload.buffer_before_minutes),
        "blocked_until": payload.end + timedelta(minutes=payload.buffer_after_minutes),
    }


async def on_held(session: AsyncSession, event: ReceivedEvent) -> None:
    payload = event.payload
    assert isinstance(payload, AppointmentHeld)
    await upsert_latest(
        session,
        booked_intervals,
        event,
        key="appointment_id",
        appointment_id=payload.hold_id,
        kind="hold",
        expires_at=payload.expires_at,
        **_occupation(payload),
    )


async def on_hold_released(session: AsyncSession, event: ReceivedEvent) -> None:
    """The hold stops occupying (a release before its hold was seen has nothing to change)."""
    payload = event.payload
    assert isinstance(payload, HoldReleased)
    if payload.appointment_id == payload.hold_id:
        return  # converted in place: booking keeps the hold's id, and its Booked event follows
    await update_if_newer(
        session, booked_intervals, event, payload.hold_id, key="appointment_id", status=RELEASED
    )


async def on_appointment(session: AsyncSession, event: ReceivedEvent) -> None:
    """Any appointment event: the row becomes the occupation it carries."""
    payload = event.payload
    assert isinstance(payload, AppointmentEvent)
    extra: dict[str, Any] = {}
    if isinstance(payload, AppointmentFlaggedOutsideHours):
        extra["outside_hours"] = True
    elif isinstance(payload, AppointmentRescheduled):
        extra["outside_hours"] = False  # new times; booking flags them again if need be
    await upsert_latest(
        session,
        booked_intervals,
        event,
        key="appointment_id",
        appointment_id=payload.appointment_id,
        kind="appointment",
        expires_at=None,
        **_occupation(payload),
        **extra,
    )
    if (
        isinstance(payload, AppointmentBooked)
        and payload.hold_id is not None
        and payload.hold_id != payload.appointment_id
    ):
        # Converted: the hold's time is now the appointment's, never counted twice.
        await update_if_newer(
            session, booked_intervals, event, payload.hold_id, key="appointment_id", status=RELEASED
        )
