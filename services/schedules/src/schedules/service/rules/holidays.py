"""A location's holidays: whole local dates on which it is closed, one date or recurring from
it. Like clinic hours they bound every practitioner there, so their warnings cover everyone's
future appointments at the location."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Row

from clinic_contracts import OutsideHoursCause
from clinic_platform.errors import NotFound
from schedules.domain import Holiday
from schedules.domain.recurrence import entry_dates
from schedules.service.rules.context import RulesContext, known_location, utc_span
from schedules.service.rules.guard import OUTSIDE_HOURS, Marking, Reach, guarded
from schedules.service.rules.payloads import holiday_changed
from schedules.service.rules.recurrence import canonical
from schedules.store import rule_records as records
from schedules.store.rules import holiday_rule


@dataclass(frozen=True, slots=True)
class HolidaySpec:
    """A holiday's name, and the rule it recurs by from its date (None: that date only)."""

    name: str
    rrule: str | None = None
    exdates: tuple[date, ...] = ()
    rdates: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class ListedHoliday:
    """A stored holiday and its dates in the asked range (None: the range is open)."""

    row: Row[Any]
    occurs_on: tuple[date, ...] | None


async def list_holidays(
    ctx: RulesContext, location_id: UUID, first: date | None, last: date | None
) -> list[ListedHoliday]:
    """The location's holidays between two dates (either open): one-off ones dated there,
    recurring ones begun by `last` that occur there (any, when the range is open)."""
    async with ctx.uow:
        await known_location(ctx.session, location_id)
        rows = await records.holidays_of(ctx.session, location_id, first, last)
    if first is None or last is None:
        return [ListedHoliday(row, None) for row in rows]
    listed = [ListedHoliday(row, entry_dates(_rule(row), first, last)) for row in rows]
    return [item for item in listed if item.occurs_on]


def _rule(row: Row[Any]) -> Holiday:
    return holiday_rule(row.on_date, row.rrule, row.exdates, row.rdates)


async def read_holiday(ctx: RulesContext, location_id: UUID, on: date) -> Row[Any]:
    """One holiday; 404 when the location or the holiday is unknown."""
    async with ctx.uow:
        await known_location(ctx.session, location_id)
        return _found(await records.holiday(ctx.session, location_id, on), location_id, on)


async def set_holiday(
    ctx: RulesContext, location_id: UUID, on: date, spec: HolidaySpec, *, confirm: bool
) -> Row[Any]:
    """Set, rename or re-rule the holiday from `on`; 409 when it leaves appointments outside
    hours."""
    async with ctx.uow:
        zone = await known_location(ctx.session, location_id)
        if spec.rrule is not None:
            spec = replace(spec, rrule=canonical(spec.rrule, on, [zone]))
        reach = Reach(None, location_id, utc_span(on, on if spec.rrule is None else None))

        async def apply() -> Row[Any]:
            return await records.save_holiday(
                ctx.session, ctx.tenant_id, location_id, on, asdict(spec), ctx.actor_id
            )

        marking = Marking(OUTSIDE_HOURS, OutsideHoursCause.HOLIDAY)
        row = await guarded(ctx, reach, marking, confirm, apply)
        ctx.uow.record(holiday_changed(row), subject=f"locations/{location_id}")
        await ctx.uow.commit()
    return row


async def remove_holiday(ctx: RulesContext, location_id: UUID, on: date) -> None:
    """Take the holiday back (it only gives time back, so nothing to warn about)."""
    async with ctx.uow:
        await known_location(ctx.session, location_id)
        row = _found(await records.holiday(ctx.session, location_id, on), location_id, on)
        await records.delete_holiday(ctx.session, location_id, on)
        ctx.uow.record(holiday_changed(row, removed=True), subject=f"locations/{location_id}")
        await ctx.uow.commit()


def _found(row: Row[Any] | None, location_id: UUID, on: date) -> Row[Any]:
    if row is None:
        raise NotFound(
            f"location {location_id} has no holiday on {on}",
            code="holiday_not_found",
            extra={"location_id": str(location_id), "date": on.isoformat()},
        )
    return row
