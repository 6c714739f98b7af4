"""Holds: place one, let it go, or turn it into a booking."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from booking.api.deps import ContextDep, IdempotencyKey
from booking.api.idempotent import run_once
from booking.api.schemas import AppointmentPublic, HoldBook, HoldCreate
from booking.domain.appointments import Action
from booking.service.lifecycle import book_hold, transition
from booking.service.reserve import place_hold
from clinic_platform.auth import Permission
from clinic_platform.auth import require as needs

router = APIRouter(prefix="/holds", tags=["holds"])


@router.post(
    "",
    status_code=201,
    response_model=AppointmentPublic,
    dependencies=[needs(Permission.HOLDS_CREATE)],
)
async def create_hold(
    body: HoldCreate, ctx: ContextDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Hold a slot (10 minutes for patients, 30 for staff); it blocks nobody once expired."""

    async def hold() -> AppointmentPublic:
        return AppointmentPublic.of(await place_hold(ctx, body.command()))

    return await run_once(ctx, key, "create_hold", body, 201, hold)


@router.post("/{hold_id}/release", dependencies=[needs(Permission.HOLDS_RELEASE)])
async def release_hold(hold_id: UUID, ctx: ContextDep) -> AppointmentPublic:
    """Let a hold go before it expires."""
    async with ctx.uow:
        record = await transition(ctx, hold_id, Action.RELEASE)
        await ctx.uow.commit()
    return AppointmentPublic.of(record)


@router.post(
    "/{hold_id}/book",
    status_code=201,
    response_model=AppointmentPublic,
    dependencies=[needs(Permission.APPOINTMENTS_CREATE)],
)
async def book_held_slot(
    hold_id: UUID, body: HoldBook, ctx: ContextDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Turn a live hold into a pending booking."""

    async def convert() -> AppointmentPublic:
        return AppointmentPublic.of(await book_hold(ctx, hold_id, body.patient_id))

    return await run_once(ctx, key, f"book_hold:{hold_id}", body, 201, convert)
