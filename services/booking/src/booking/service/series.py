"""Recurring series: every occurrence checked against every resource, booked all-or-nothing
unless the caller asks to skip the conflicting ones."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import insert, select

from booking.domain.appointments import OCCUPYING, Action
from booking.domain.series import expand
from booking.service.access import patient_to_book
from booking.service.catalog_view import load_offer
from booking.service.context import BookingContext
from booking.service.lifecycle import transition
from booking.service.reserve import Reserve, record_booked, reserve
from booking.store.appointments import AppointmentRecord
from booking.store.audit import append_audit
from booking.store.tables.appointments import appointments, series
from clinic_contracts import AppointmentStatus
from clinic_platform.errors import Conflict, DomainError


@dataclass(frozen=True)
class BookSeries:
    """A template booking, the rule choosing its dates, and the first local start."""

    template: Reserve
    rrule: str  # chooses local dates; each occurrence keeps the template start's wall time
    skip_conflicts: bool = False


@dataclass(frozen=True)
class OccurrenceConflict:
    """Why one occurrence could not be booked."""

    index: int
    start_at: datetime
    code: str
    detail: str


@dataclass(frozen=True)
class SeriesBooked:
    """The series, the occurrences booked and those skipped."""

    series_id: UUID
    booked: list[AppointmentRecord]
    skipped: list[OccurrenceConflict]


async def book_series(ctx: BookingContext, cmd: BookSeries) -> SeriesBooked:
    """Book every occurrence, or none (409 listing each conflict) unless skipping is asked."""
    patient = patient_to_book(ctx.actor, cmd.template.patient_id)
    cmd = replace(cmd, template=replace(cmd.template, patient_id=patient))
    offer = await load_offer(ctx.uow.session, cmd.template)
    first_local_start = cmd.template.start_at.astimezone(offer.zone).replace(tzinfo=None)
    occurrences = expand(cmd.rrule, first_local_start, offer.zone, offer.policy.duration_minutes)
    series_id = uuid4()
    await ctx.uow.session.execute(
        insert(series).values(
            id=series_id,
            tenant_id=ctx.actor.tenant_id,
            rrule=cmd.rrule,
            first_local_start=first_local_start,
            created_by=ctx.actor.subject,
        )
    )
    booked, conflicts = [], []
    for occurrence in occurrences:
        wanted = replace(
            cmd.template,
            start_at=occurrence.start,
            series_id=series_id,
            series_index=occurrence.index,
        )
        try:
            async with ctx.uow.session.begin_nested():
                placed = await reserve(ctx, wanted, AppointmentStatus.PENDING)
        except DomainError as refused:
            conflicts.append(
                OccurrenceConflict(
                    occurrence.index, occurrence.start, refused.code, refused.detail or ""
                )
            )
            continue
        record_booked(ctx, placed)
        booked.append(placed.record)
    if conflicts and not cmd.skip_conflicts:
        raise Conflict(
            f"{len(conflicts)} of {len(occurrences)} occurrences cannot be booked; nothing was "
            "booked (ask skip_conflicts=true to book the others)",
            code="series_conflicts",
            extra={"conflicts": [_describe(c) for c in conflicts]},
        )
    await append_audit(
        ctx.uow.session,
        ctx.actor,
        entity_type="series",
        entity_id=series_id,
        action="booked",
        after={
            "rrule": cmd.rrule,
            "booked": len(booked),
            "skipped": [_describe(c) for c in conflicts],
        },
    )
    return SeriesBooked(series_id, booked, conflicts)


def _describe(conflict: OccurrenceConflict) -> dict[str, object]:
    return {
        "index": conflict.index,
        "start_at": conflict.start_at.isoformat(),
        "code": conflict.code,
        "detail": conflict.detail,
    }


async def cancel_series(
    ctx: BookingContext, series_id: UUID, *, from_index: int = 0, reason: str | None = None
) -> list[AppointmentRecord]:
    """Cancel every still-active occurrence from `from_index` on ("this and following", "all")."""
    rows = await ctx.uow.session.execute(
        select(appointments.c.id)
        .where(
            appointments.c.series_id == series_id,
            appointments.c.series_index >= from_index,
            appointments.c.status.in_([s.value for s in OCCUPYING]),
        )
        .order_by(appointments.c.series_index)
    )
    return [await transition(ctx, row.id, Action.CANCEL, reason=reason) for row in rows]
