"""Appointments: book, read, list, and every step of their life."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from booking.api.deps import ContextDep, IdempotencyKey
from booking.api.idempotent import run_once
from booking.api.schemas import (
    AppointmentCreate,
    AppointmentPage,
    AppointmentPublic,
    Reason,
    Reschedule,
)
from booking.api.text import Cursor
from booking.domain.appointments import Action
from booking.service.access import ensure_visible, visibility_filter
from booking.service.lifecycle import reschedule, transition
from booking.service.reserve import book
from booking.store import appointments as store
from clinic_contracts.edge import SupportedInstant
from clinic_platform.auth import Permission
from clinic_platform.auth import require as needs
from clinic_platform.auth import require_any as needs_any
from clinic_platform.errors import RuleViolation

router = APIRouter(prefix="/appointments", tags=["appointments"])
READ = needs_any(Permission.APPOINTMENTS_READ, Permission.APPOINTMENTS_OWN_READ)
CHANGE = needs_any(Permission.APPOINTMENTS_MANAGE, Permission.APPOINTMENTS_OWN_MANAGE)
MAX_RANGE = timedelta(days=366)


@router.post(
    "",
    status_code=201,
    response_model=AppointmentPublic,
    dependencies=[needs(Permission.APPOINTMENTS_CREATE)],
)
async def create_appointment(
    body: AppointmentCreate, ctx: ContextDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Book directly; two bookings of one practitioner, room or device never overlap."""

    async def booking() -> AppointmentPublic:
        return AppointmentPublic.of(await book(ctx, body.command()))

    return await run_once(ctx, key, "create_appointment", body, 201, booking)


@router.get("/{appointment_id}", dependencies=[READ])
async def get_appointment(appointment_id: UUID, ctx: ContextDep) -> AppointmentPublic:
    """One appointment the caller may see."""
    async with ctx.uow:  # read-only: leaving without commit rolls back
        record = ensure_visible(ctx.actor, await store.get(ctx.uow.session, appointment_id))
    return AppointmentPublic.of(record)


@router.get("", dependencies=[READ])
async def list_appointments(
    ctx: ContextDep,
    start_from: Annotated[
        SupportedInstant, Query(alias="from", examples=["2026-12-01T00:00:00+08:00"])
    ],
    start_to: Annotated[
        SupportedInstant, Query(alias="to", examples=["2026-12-08T00:00:00+08:00"])
    ],
    patient_id: UUID | None = None,
    practitioner_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Cursor | None = None,
) -> AppointmentPage:
    """Appointments by start time, for a patient or a practitioner, a page at a time."""
    if not start_from < start_to <= start_from + MAX_RANGE:
        raise RuleViolation(
            "'to' must be after 'from' and at most 366 days later", code="invalid_range", field="to"
        )
    async with ctx.uow:
        records = await store.page(
            ctx.uow.session,
            start_from=start_from,
            start_to=start_to,
            patient_id=patient_id,
            practitioner_id=practitioner_id,
            visible_to=visibility_filter(ctx.actor),
            after=_decode(cursor),
            limit=limit + 1,
        )
    more = len(records) > limit
    items = records[:limit]
    next_cursor = _encode(items[-1].start_at, items[-1].id) if more else None
    return AppointmentPage(items=[AppointmentPublic.of(r) for r in items], next_cursor=next_cursor)


def _encode(start: datetime, appointment_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{start.isoformat()}|{appointment_id}".encode()).decode()


def _decode(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    try:
        start, appointment_id = base64.urlsafe_b64decode(cursor).decode().split("|")
        return datetime.fromisoformat(start), UUID(appointment_id)
    except ValueError:
        raise RuleViolation(
            "the cursor is not one this API gave", code="invalid_cursor", field="cursor"
        ) from None


async def _step(
    ctx: ContextDep, appointment_id: UUID, action: Action, body: Reason | None = None
) -> AppointmentPublic:
    async with ctx.uow:
        record = await transition(
            ctx,
            appointment_id,
            action,
            reason=body.reason if body else None,
            override=body.override_policies if body else False,
        )
        await ctx.uow.commit()
    return AppointmentPublic.of(record)


@router.post("/{appointment_id}/confirm", dependencies=[CHANGE])
async def confirm_appointment(appointment_id: UUID, ctx: ContextDep) -> AppointmentPublic:
    """pending → confirmed."""
    return await _step(ctx, appointment_id, Action.CONFIRM)


@router.post("/{appointment_id}/decline", dependencies=[CHANGE])
async def decline_appointment(
    appointment_id: UUID, body: Reason, ctx: ContextDep
) -> AppointmentPublic:
    """pending → declined; frees its time."""
    return await _step(ctx, appointment_id, Action.DECLINE, body)


@router.post("/{appointment_id}/cancel", dependencies=[CHANGE])
async def cancel_appointment(
    appointment_id: UUID, body: Reason, ctx: ContextDep
) -> AppointmentPublic:
    """Any active state → cancelled, with who cancelled and why; frees its time."""
    return await _step(ctx, appointment_id, Action.CANCEL, body)


@router.post("/{appointment_id}/complete", dependencies=[CHANGE])
async def complete_appointment(appointment_id: UUID, ctx: ContextDep) -> AppointmentPublic:
    """confirmed → completed, once it has started."""
    return await _step(ctx, appointment_id, Action.COMPLETE)


@router.post("/{appointment_id}/no-show", dependencies=[CHANGE])
async def mark_no_show(appointment_id: UUID, ctx: ContextDep) -> AppointmentPublic:
    """confirmed → no_show, once it has started."""
    return await _step(ctx, appointment_id, Action.NO_SHOW)


@router.post("/{appointment_id}/reschedule", dependencies=[CHANGE])
async def reschedule_appointment(
    appointment_id: UUID, body: Reschedule, ctx: ContextDep
) -> AppointmentPublic:
    """Move it in one step: the new time is checked, the old one freed, one event published."""
    async with ctx.uow:
        record = await reschedule(
            ctx,
            appointment_id,
            body.start_at,
            override=body.override_policies,
            allow_outside_hours=body.allow_outside_hours,
        )
        await ctx.uow.commit()
    return AppointmentPublic.of(record)
