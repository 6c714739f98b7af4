"""Date exceptions: blocked or extra-available, all day or timed, one-off or recurring (RRULE),
optionally for one appointment type or location. Overlapping exceptions are allowed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID, uuid4

from sqlalchemy import Row

from clinic_contracts import ExceptionCreated, ExceptionDeleted, ExceptionUpdated, OutsideHoursCause
from clinic_platform.auth import Permission
from clinic_platform.errors import NotFound, RuleViolation
from schedules.domain.recurrence import entry_dates
from schedules.service.access import ensure_may, known_practitioner
from schedules.service.rules.context import RulesContext, known_location, utc_span
from schedules.service.rules.guard import CONFLICTS, Marking, Reach, guarded
from schedules.service.rules.payloads import exception_state
from schedules.service.rules.recurrence import canonical, practitioner_zones
from schedules.store import rule_records as records
from schedules.store.rules import exception_rule
from schedules.store.tables import exceptions

READ = (Permission.PROFESSIONAL_READ, Permission.PROFESSIONAL_OWN_READ)
WRITE = (Permission.EXCEPTIONS_WRITE, Permission.EXCEPTIONS_OWN_WRITE)


@dataclass(frozen=True, slots=True)
class ExceptionSpec:
    """An exception's rule, already validated: one date or an RRULE from dtstart; no times
    means all day (an end of 00:00 is the end of the day)."""

    kind: Literal["blocked", "available"]
    on_date: date | None = None
    rrule: str | None = None
    dtstart: date | None = None
    exdates: tuple[date, ...] = ()
    rdates: tuple[date, ...] = ()
    start_time: time | None = None
    end_time: time | None = None
    location_id: UUID | None = None
    appointment_type_id: UUID | None = None
    max_parallel_sessions: int = 1
    reason: str | None = None

    @classmethod
    def of(cls, row: Row[Any]) -> ExceptionSpec:
        """The spec of a stored exception."""
        found = {name: getattr(row, name) for name in cls.__dataclass_fields__}
        return cls(**found | {"exdates": tuple(row.exdates), "rdates": tuple(row.rdates)})

    def stored(self) -> dict[str, Any]:
        """The columns of the exceptions table it sets."""
        return asdict(self) | {"exdates": list(self.exdates), "rdates": list(self.rdates)}


@dataclass(frozen=True, slots=True)
class Listed:
    """A stored exception and the dates it occurs on within the asked range."""

    row: Row[Any]
    occurs_on: tuple[date, ...]


async def list_exceptions(
    ctx: RulesContext, practitioner_id: UUID, first: date, last: date
) -> list[Listed]:
    """Exceptions occurring on some date of `first`..`last`, with those dates."""
    ensure_may(ctx.actor, *READ, practitioner_id)
    async with ctx.uow:
        await known_practitioner(ctx.session, practitioner_id)
        found = await records.exceptions_of(ctx.session, practitioner_id, first, last)
    listed = [Listed(row, entry_dates(exception_rule(row), first, last)) for row in found]
    return [item for item in listed if item.occurs_on]


async def create(
    ctx: RulesContext, practitioner_id: UUID, spec: ExceptionSpec, *, confirm: bool
) -> Row[Any]:
    """Add an exception; 409 when it leaves booked appointments outside availability."""
    ensure_may(ctx.actor, *WRITE, practitioner_id)
    exception_id = uuid4()
    async with ctx.uow:
        await known_practitioner(ctx.session, practitioner_id)
        spec = await _checked(ctx, practitioner_id, spec)

        async def apply() -> Row[Any]:
            return await records.add(
                ctx.session,
                exceptions,
                ctx.tenant_id,
                id=exception_id,
                practitioner_id=practitioner_id,
                updated_by=ctx.actor_id,
                **spec.stored(),
            )

        reach = _reach(practitioner_id, spec)
        row = await guarded(ctx, reach, _marking(exception_id), confirm, apply)
        ctx.uow.record(exception_state(ExceptionCreated, row), subject=_subject(row))
        await ctx.uow.commit()
    return row


async def update(
    ctx: RulesContext,
    practitioner_id: UUID,
    exception_id: UUID,
    revise: Callable[[ExceptionSpec], ExceptionSpec],
    *,
    confirm: bool,
) -> Row[Any]:
    """Change an exception (`revise` gives its new spec from the current one); 409 as above."""
    ensure_may(ctx.actor, *WRITE, practitioner_id)
    async with ctx.uow:
        before = await _owned(ctx, practitioner_id, exception_id)
        spec = await _checked(ctx, practitioner_id, revise(ExceptionSpec.of(before)))

        async def apply() -> Row[Any]:
            values = {**spec.stored(), "updated_by": ctx.actor_id}
            return await records.change(ctx.session, exceptions, exception_id, **values)

        reach = _reach(practitioner_id, ExceptionSpec.of(before), spec)
        row = await guarded(ctx, reach, _marking(exception_id), confirm, apply)
        ctx.uow.record(exception_state(ExceptionUpdated, row), subject=_subject(row))
        await ctx.uow.commit()
    return row


async def delete(
    ctx: RulesContext, practitioner_id: UUID, exception_id: UUID, *, confirm: bool
) -> None:
    """Delete an exception (an available one may take time away: 409 as above)."""
    ensure_may(ctx.actor, *WRITE, practitioner_id)
    async with ctx.uow:
        row = await _owned(ctx, practitioner_id, exception_id)

        async def apply() -> None:
            await records.remove(ctx.session, exceptions, exception_id)

        reach = _reach(practitioner_id, ExceptionSpec.of(row))
        await guarded(ctx, reach, _marking(exception_id), confirm, apply)
        event = ExceptionDeleted(exception_id=exception_id, practitioner_id=practitioner_id)
        ctx.uow.record(event, subject=_subject(row))
        await ctx.uow.commit()


async def _owned(ctx: RulesContext, practitioner_id: UUID, exception_id: UUID) -> Row[Any]:
    await known_practitioner(ctx.session, practitioner_id)
    row = await records.get(ctx.session, exceptions, exception_id, lock=True)
    if row is None or row.practitioner_id != practitioner_id:
        raise NotFound(
            f"practitioner {practitioner_id} has no exception {exception_id}",
            code="exception_not_found",
            extra={"exception_id": str(exception_id)},
        )
    return row


async def _checked(ctx: RulesContext, practitioner_id: UUID, spec: ExceptionSpec) -> ExceptionSpec:
    """The spec as stored: its references known (else 422) and its rule canonical."""
    zone = None
    if spec.location_id is not None:
        zone = await known_location(ctx.session, spec.location_id, field_name="location_id")
    type_id = spec.appointment_type_id
    if type_id is not None and not await records.appointment_type_known(ctx.session, type_id):
        raise RuleViolation(
            f"no appointment type {type_id}",
            code="unknown_appointment_type",
            field="appointment_type_id",
        )
    if spec.rrule is None or spec.dtstart is None:
        return spec
    # Local times of an exception for every location are read in each location's zone.
    zones = [zone] if zone is not None else await practitioner_zones(ctx.session, practitioner_id)
    return replace(spec, rrule=canonical(spec.rrule, spec.dtstart, zones))


def _reach(practitioner_id: UUID, *specs: ExceptionSpec) -> Reach:
    """The practitioner's appointments on the exceptions' dates, at their location (or all)."""
    spans = [_span(spec) for spec in specs]
    places = {spec.location_id for spec in specs}
    location = places.pop() if len(places) == 1 else None
    between = (min(low for low, _ in spans), max(high for _, high in spans))
    return Reach((practitioner_id,), location, between)


def _span(spec: ExceptionSpec) -> tuple[datetime, datetime]:
    first = spec.on_date or spec.dtstart
    assert first is not None  # validated: a date, or an RRULE with its dtstart
    return utc_span(first, spec.on_date)


def _marking(exception_id: UUID) -> Marking:
    return Marking(CONFLICTS, OutsideHoursCause.EXCEPTION, exception_id)


def _subject(row: Row[Any]) -> str:
    return f"practitioners/{row.practitioner_id}/exceptions/{row.id}"
