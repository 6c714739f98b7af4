"""A location's clinic hours: weekday intervals, date overrides and closed dates.

They bound every practitioner working there, so their warnings cover every practitioner's
future appointments at the location. The routes gate them with the clinic-hours permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Row

from clinic_contracts import OutsideHoursCause
from schedules.domain import ClinicHours
from schedules.service.rules.context import RulesContext, known_location
from schedules.service.rules.guard import OUTSIDE_HOURS, Marking, Reach, guarded
from schedules.service.rules.payloads import clinic_hours_changed
from schedules.store import rule_records as records
from schedules.store.rule_records import clock_text


@dataclass(frozen=True, slots=True)
class LocationHours:
    """A location's zone and its clinic-hours row (None: it has none, so it is not limited)."""

    location_id: UUID
    zone: ZoneInfo
    row: Row[Any] | None


async def read_hours(ctx: RulesContext, location_id: UUID) -> LocationHours:
    """The location's clinic hours; 404 for a location the catalog never announced."""
    async with ctx.uow:
        zone = await known_location(ctx.session, location_id)
        row = await records.clinic_hours_of(ctx.session, location_id)
    return LocationHours(location_id, zone, row)


async def replace_hours(
    ctx: RulesContext, location_id: UUID, hours: ClinicHours, *, confirm: bool
) -> LocationHours:
    """Replace the whole document; 409 when it leaves appointments outside hours."""
    document = {
        "weekly": [
            {"weekday": i.weekday, "start": clock_text(i.start), "end": clock_text(i.end)}
            for i in sorted(hours.weekly, key=lambda i: (i.weekday, i.start))
        ],
        "date_overrides": _overrides(hours),
        "closed_dates": sorted(hours.closed),
    }
    async with ctx.uow:
        zone = await known_location(ctx.session, location_id)

        async def apply() -> Row[Any]:
            return await records.save_clinic_hours(
                ctx.session, ctx.tenant_id, location_id, document, ctx.actor_id
            )

        marking = Marking(OUTSIDE_HOURS, OutsideHoursCause.CLINIC_HOURS)
        row = await guarded(ctx, Reach(None, location_id), marking, confirm, apply)
        ctx.uow.record(clinic_hours_changed(row), subject=f"locations/{location_id}")
        await ctx.uow.commit()
    return LocationHours(location_id, zone, row)


def _overrides(hours: ClinicHours) -> list[dict[str, Any]]:
    days = sorted({o.on for o in hours.overrides})
    return [
        {
            "date": day.isoformat(),
            "intervals": [
                {"start": clock_text(o.start), "end": clock_text(o.end)}
                for o in sorted(hours.overrides, key=lambda o: o.start)
                if o.on == day
            ],
        }
        for day in days
    ]
