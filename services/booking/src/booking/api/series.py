"""Recurring series: book one (all-or-nothing, or skipping conflicts) and cancel its future."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from booking.api.deps import ContextDep, IdempotencyKey
from booking.api.idempotent import run_once
from booking.api.schemas import AppointmentPublic, SeriesCancel, SeriesCreate, SeriesPublic
from booking.domain.appointments import Action
from booking.service.access import ensure_may_change, ensure_visible
from booking.service.series import BookSeries, book_series, cancel_series
from booking.store import appointments as store
from clinic_platform.auth import Permission
from clinic_platform.auth import require as needs
from clinic_platform.errors import NotFound

router = APIRouter(prefix="/series", tags=["series"])


@router.post(
    "",
    status_code=201,
    response_model=SeriesPublic,
    dependencies=[needs(Permission.APPOINTMENTS_MANAGE)],
)
async def create_series(
    body: SeriesCreate, ctx: ContextDep, key: IdempotencyKey = None
) -> JSONResponse:
    """Book every occurrence of an RRULE, checked against every resource."""

    async def booking() -> SeriesPublic:
        result = await book_series(ctx, BookSeries(body.command(), body.rrule, body.skip_conflicts))
        return SeriesPublic(
            series_id=result.series_id,
            booked=[AppointmentPublic.of(r) for r in result.booked],
            skipped=[
                {
                    "index": c.index,
                    "start_at": c.start_at.isoformat(),
                    "code": c.code,
                    "detail": c.detail,
                }
                for c in result.skipped
            ],
        )

    return await run_once(ctx, key, "create_series", body, 201, booking)


@router.post("/{series_id}/cancel", dependencies=[needs(Permission.APPOINTMENTS_MANAGE)])
async def cancel_series_occurrences(
    series_id: UUID, body: SeriesCancel, ctx: ContextDep
) -> list[AppointmentPublic]:
    """Cancel "all" occurrences still active, or one and the "following" ones."""
    async with ctx.uow:
        from_index = 0
        if body.scope == "following":
            if body.from_appointment_id is None:
                raise NotFound("name the occurrence to cancel from", code="occurrence_required")
            first = ensure_visible(
                ctx.actor, await store.get(ctx.uow.session, body.from_appointment_id)
            )
            if first.series_id != series_id or first.series_index is None:
                raise NotFound("that appointment is not in this series", code="not_in_series")
            ensure_may_change(ctx.actor, first, Action.CANCEL)
            from_index = first.series_index
        cancelled = await cancel_series(ctx, series_id, from_index=from_index, reason=body.reason)
        await ctx.uow.commit()
    return [AppointmentPublic.of(r) for r in cancelled]
