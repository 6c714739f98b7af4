"""`/locations/{id}/clinic-hours`: opening hours by weekday, date overrides and closed dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from datetime import datetime, time
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from clinic_contracts.edge import SupportedDate
from clinic_platform.auth import Permission, require
from clinic_platform.errors import RuleViolation
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.schemas import (
    WEEKDAYS,
    Interval,
    OpeningWeek,
    Strict,
    by_weekday,
    check_disjoint,
)
from schedules.domain import ClinicHours, ClinicInterval, ClinicOverride
from schedules.service.rules import location_rules
from schedules.service.rules.location_rules import LocationHours

router = APIRouter(prefix="/locations/{location_id}", tags=["clinic hours"])
READ = require(Permission.CLINIC_HOURS_READ)
WRITE = require(Permission.CLINIC_HOURS_WRITE)


class DateOverrideBody(Strict):
    """Opening hours that replace the weekday's hours on one local date."""

    date: SupportedDate
    intervals: list[Interval] = Field(min_length=1)


class ClinicHoursReplace(Strict):
    """The location's whole clinic-hours document (it replaces the stored one)."""

    hours: OpeningWeek = Field(
        default_factory=dict,
        description='Opening intervals per weekday, e.g. {"monday": [{"start_time": "08:00", '
        '"end_time": "20:00"}]}; a day left out is closed.',
    )
    date_overrides: list[DateOverrideBody] = Field(default_factory=list)
    closed_dates: list[SupportedDate] = Field(default_factory=list)

    def check(self) -> None:
        """422 for overlapping intervals, a date overridden twice, or overridden and closed."""
        groups: dict[str, list[Interval]] = {
            f"hours.{day.value}": items for day, items in self.hours.items()
        }
        for n, override in enumerate(self.date_overrides):
            groups[f"date_overrides.{n}.intervals"] = override.intervals
        check_disjoint(groups)
        dates = Counter(o.date for o in self.date_overrides)
        if twice := sorted(day.isoformat() for day, count in dates.items() if count > 1):
            raise RuleViolation(
                f"dates overridden more than once: {', '.join(twice)}",
                code="duplicate_date",
                field="date_overrides",
                extra={"dates": twice},
            )
        if both := sorted(day.isoformat() for day in set(self.closed_dates) & set(dates)):
            raise RuleViolation(
                f"dates both closed and overridden: {', '.join(both)}",
                code="closed_and_overridden",
                field="closed_dates",
                extra={"dates": both},
            )

    def rules(self) -> ClinicHours:
        """The engine's view of the document."""
        return ClinicHours(
            weekly=tuple(
                ClinicInterval(d, i.start_time, i.end_time) for d, i in by_weekday(self.hours)
            ),
            overrides=tuple(
                ClinicOverride(o.date, i.start_time, i.end_time)
                for o in self.date_overrides
                for i in o.intervals
            ),
            closed=frozenset(self.closed_dates),
        )


class DateOverridePublic(BaseModel):
    """Opening hours on one date."""

    date: dt.date
    intervals: list[Interval]


class ClinicHoursPublic(BaseModel):
    """A location's clinic hours; `configured` is false while it has none (then the location
    does not limit anyone's availability)."""

    location_id: UUID
    timezone: str
    configured: bool
    hours: dict[str, list[Interval]]
    date_overrides: list[DateOverridePublic]
    closed_dates: list[dt.date]
    updated_at: datetime | None = None


def _interval(item: dict[str, Any]) -> Interval:
    start, end = time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
    return Interval.model_validate({"start_time": start, "end_time": end})


def _public(found: LocationHours) -> ClinicHoursPublic:
    row = found.row
    hours: dict[str, list[Interval]] = {day.value: [] for day in WEEKDAYS}
    for item in row.weekly if row is not None else ():
        hours[WEEKDAYS[item["weekday"]].value].append(_interval(item))
    return ClinicHoursPublic(
        location_id=found.location_id,
        timezone=found.zone.key,
        configured=row is not None,
        hours=hours,
        date_overrides=[
            DateOverridePublic(
                date=dt.date.fromisoformat(item["date"]),
                intervals=[_interval(span) for span in item["intervals"]],
            )
            for item in (row.date_overrides if row is not None else ())
        ],
        closed_dates=sorted(row.closed_dates) if row is not None else [],
        updated_at=row.updated_at if row is not None else None,
    )


@router.get("/clinic-hours", dependencies=[READ])
async def read_clinic_hours(location_id: UUID, ctx: RulesContextDep) -> ClinicHoursPublic:
    """The location's clinic hours; 404 for a location the catalog never announced."""
    return _public(await location_rules.read_hours(ctx, location_id))


@router.put("/clinic-hours", dependencies=[WRITE])
async def replace_clinic_hours(
    location_id: UUID, body: ClinicHoursReplace, ctx: RulesContextDep, confirm: Confirm = False
) -> ClinicHoursPublic:
    """Replace the whole document. Booked appointments of any practitioner there that it would
    leave outside hours → 409 `appointments_outside_hours` unless `confirm=true`."""
    body.check()
    found = await location_rules.replace_hours(ctx, location_id, body.rules(), confirm=confirm)
    return _public(found)
