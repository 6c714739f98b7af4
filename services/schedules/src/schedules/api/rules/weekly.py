"""`/practitioners/{id}/availability/default`: the default weekly schedule, grouped by weekday."""

from __future__ import annotations

import datetime as dt
from datetime import datetime, time
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from clinic_contracts.edge import SupportedDate
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.schemas import (
    WEEKDAYS,
    EndTime,
    SessionInterval,
    StartTime,
    Strict,
    Week,
    by_weekday,
    check_disjoint,
)
from schedules.domain import WeeklyInterval
from schedules.domain.local_time import local_span, to_instant
from schedules.service.rules import weekly
from schedules.service.rules.weekly import ReplaceWeekly, Template

router = APIRouter(prefix="/practitioners/{practitioner_id}/availability", tags=["weekly schedule"])


class DefaultScheduleReplace(Strict):
    """The schedule at a location from `effective_from` (default: today there) to `effective_to`
    (inclusive; null = open-ended). It replaces whatever template held on those dates."""

    location_id: UUID | None = Field(
        default=None, description="Required unless the practitioner works at one location only."
    )
    effective_from: SupportedDate | None = None
    effective_to: SupportedDate | None = None
    schedule: Week = Field(
        default_factory=dict,
        description='Intervals per weekday, e.g. {"monday": [{"start_time": "09:00", '
        '"end_time": "12:00"}]}; a day left out has none.',
    )


class DayInterval(BaseModel):
    """A template interval on one date: local times and the UTC instants they really cover."""

    start_time: StartTime
    end_time: EndTime
    start: datetime
    end: datetime


class TemplateDay(BaseModel):
    """The template on the asked date (a skipped DST hour covers no time)."""

    date: dt.date
    intervals: list[DayInterval]


class TemplatePublic(BaseModel):
    """One weekly template: the schedule of a practitioner at a location over a date range."""

    id: UUID
    practitioner_id: UUID
    location_id: UUID
    timezone: str
    effective_from: dt.date
    effective_to: dt.date | None
    schedule: dict[str, list[SessionInterval]]
    updated_at: datetime
    on: TemplateDay | None = None


class DefaultSchedulePublic(BaseModel):
    """A practitioner's templates, by location and start date."""

    practitioner_id: UUID
    templates: list[TemplatePublic]


def _public(template: Template, on: dt.date | None = None) -> TemplatePublic:
    row = template.row
    schedule: dict[str, list[SessionInterval]] = {day.value: [] for day in WEEKDAYS}
    for item in row.intervals:
        schedule[WEEKDAYS[item["weekday"]].value].append(SessionInterval.model_validate(_api(item)))
    return TemplatePublic(
        id=row.id,
        practitioner_id=row.practitioner_id,
        location_id=row.location_id,
        timezone=template.zone.key,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
        schedule=schedule,
        updated_at=row.updated_at,
        on=_day(template, on) if on is not None else None,
    )


def _api(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "start_time": time.fromisoformat(item["start"]),
        "end_time": time.fromisoformat(item["end"]),
        "max_parallel_sessions": item.get("max_parallel_sessions", 1),
    }


def _day(template: Template, on: dt.date) -> TemplateDay:
    found = []
    for item in template.row.intervals:
        if item["weekday"] != on.weekday():
            continue
        start, end = time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
        for low, high in local_span(on, start, end, template.zone):
            found.append(
                DayInterval(
                    start_time=start, end_time=end, start=to_instant(low), end=to_instant(high)
                )
            )
    return TemplateDay(date=on, intervals=sorted(found, key=lambda i: i.start))


@router.get("/default")
async def read_default_schedule(
    practitioner_id: UUID,
    ctx: RulesContextDep,
    location_id: UUID | None = None,
    on: SupportedDate | None = None,
) -> DefaultSchedulePublic:
    """Templates valid on `on` (with that day's intervals as UTC instants), or, without it,
    every template not ended before today."""
    found = await weekly.read(ctx, practitioner_id, location_id=location_id, on=on)
    return DefaultSchedulePublic(
        practitioner_id=practitioner_id, templates=[_public(t, on) for t in found]
    )


@router.put("/default")
async def replace_default_schedule(
    practitioner_id: UUID,
    body: DefaultScheduleReplace,
    ctx: RulesContextDep,
    confirm: Confirm = False,
) -> DefaultSchedulePublic:
    """Replace the schedule from `effective_from` on: an earlier template ends the day before,
    later ones inside the range are replaced (one reaching past `effective_to` keeps its rest).
    Overlapping intervals on a day → 422 `overlapping_intervals`; booked appointments it would
    leave outside hours → 409 `appointments_outside_hours` unless `confirm=true`."""
    check_disjoint({f"schedule.{day.value}": items for day, items in body.schedule.items()})
    command = ReplaceWeekly(
        intervals=[
            WeeklyInterval(day, i.start_time, i.end_time, i.max_parallel_sessions)
            for day, i in by_weekday(body.schedule)
        ],
        location_id=body.location_id,
        effective_from=body.effective_from,
        effective_to=body.effective_to,
    )
    stored = await weekly.replace(ctx, practitioner_id, command, confirm=confirm)
    return DefaultSchedulePublic(
        practitioner_id=practitioner_id, templates=[_public(t) for t in stored]
    )
