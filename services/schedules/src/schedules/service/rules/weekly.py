"""A practitioner's default weekly schedule per location, valid over a range of dates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.exc import IntegrityError

from clinic_contracts import OutsideHoursCause
from clinic_platform.auth import Permission
from clinic_platform.errors import Conflict, RuleViolation
from schedules.domain import WeeklyInterval
from schedules.service.access import ensure_may, known_practitioner
from schedules.service.rules.context import RulesContext, known_location, utc_span
from schedules.service.rules.guard import OUTSIDE_HOURS, Marking, Reach, guarded
from schedules.service.rules.payloads import weekly_replaced
from schedules.store import rule_records as records
from schedules.store.rule_records import clock_text
from schedules.store.rules import location_zones


@dataclass(frozen=True, slots=True)
class ReplaceWeekly:
    """Make these intervals the template at a location from `effective_from` (default: today
    there) to `effective_to` (inclusive; None = open-ended)."""

    intervals: Sequence[WeeklyInterval]
    location_id: UUID | None = None
    effective_from: date | None = None
    effective_to: date | None = None


@dataclass(frozen=True, slots=True)
class Template:
    """A stored template and the zone its local times are in."""

    row: Row[Any]
    zone: ZoneInfo


async def read(
    ctx: RulesContext, practitioner_id: UUID, *, location_id: UUID | None, on: date | None
) -> list[Template]:
    """Templates valid on `on`, or (without it) those not ended before today, by location."""
    ensure_may(
        ctx.actor, Permission.PROFESSIONAL_READ, Permission.PROFESSIONAL_OWN_READ, practitioner_id
    )
    # A day of slack: "today" differs between zones by up to a day.
    first = on or ctx.now.date() - timedelta(days=1)
    async with ctx.uow:
        await known_practitioner(ctx.session, practitioner_id)
        found = await records.templates(
            ctx.session, practitioner_id, location_id=location_id, first=first, last=on or date.max
        )
        zones = await location_zones(ctx.session, {row.location_id for row in found})
    return [Template(row, zones[row.location_id]) for row in found if row.location_id in zones]


async def replace(
    ctx: RulesContext, practitioner_id: UUID, command: ReplaceWeekly, *, confirm: bool
) -> list[Template]:
    """Store the template (cutting or replacing others); 409 when it leaves appointments out."""
    ensure_may(
        ctx.actor, Permission.PROFESSIONAL_WRITE, Permission.PROFESSIONAL_OWN_WRITE, practitioner_id
    )
    async with ctx.uow:
        practitioner = await known_practitioner(ctx.session, practitioner_id)
        location_id = command.location_id or _only_location(practitioner.location_ids)
        zone = await known_location(ctx.session, location_id, field_name="location_id")
        first = command.effective_from or ctx.now.astimezone(zone).date()
        last = command.effective_to
        if last is not None and last < first:
            raise RuleViolation(
                f"effective_to ({last}) is before effective_from ({first})",
                code="end_before_start",
                field="effective_to",
            )
        template_id = uuid4()
        reach = Reach((practitioner_id,), location_id, utc_span(first, last))
        await records.lock_templates(ctx.session, ctx.tenant_id, (practitioner_id, location_id))

        async def apply() -> list[Row[Any]]:
            try:
                return await records.replace_templates(
                    ctx.session,
                    ctx.tenant_id,
                    (practitioner_id, location_id),
                    (first, last),
                    _document(command.intervals),
                    by=ctx.actor_id,
                    new_id=template_id,
                )
            except IntegrityError:
                # Only a writer bypassing the lock can get here; answer 409, never a 500.
                raise Conflict(
                    "another change to these templates got in first; retry",
                    code="concurrent_change",
                ) from None

        marking = Marking(OUTSIDE_HOURS, OutsideHoursCause.WEEKLY_SCHEDULE, template_id)
        stored = await guarded(ctx, reach, marking, confirm, apply)
        for row in stored:
            ctx.uow.record(weekly_replaced(row), subject=f"practitioners/{practitioner_id}")
        await ctx.uow.commit()
    return [Template(row, zone) for row in stored]


def _document(intervals: Sequence[WeeklyInterval]) -> list[dict[str, Any]]:
    return [
        {
            "weekday": i.weekday,
            "start": clock_text(i.start),
            "end": clock_text(i.end),
            "max_parallel_sessions": i.max_parallel_sessions,
        }
        for i in sorted(intervals, key=lambda i: (i.weekday, i.start))
    ]


def _only_location(location_ids: Sequence[UUID]) -> UUID:
    if len(location_ids) == 1:
        return location_ids[0]
    raise RuleViolation(
        "name the location: the practitioner works at "
        + ("no location" if not location_ids else f"{len(location_ids)} locations"),
        code="location_required",
        field="location_id",
    )
