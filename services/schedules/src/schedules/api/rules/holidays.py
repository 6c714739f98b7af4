"""`/locations/{id}/holidays[/{date}]`: whole local dates on which the location is closed, one
date or, with `rrule`, every date the rule chooses from it (a holiday's key is its first date)."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clinic_contracts.edge import PlainText, SupportedDate
from clinic_platform.auth import Permission, require
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.recurring import Recurring
from schedules.service.rules import holidays
from schedules.service.rules.holidays import HolidaySpec, ListedHoliday

router = APIRouter(prefix="/locations/{location_id}/holidays", tags=["clinic hours"])
READ = require(Permission.CLINIC_HOURS_READ)
WRITE = require(Permission.CLINIC_HOURS_WRITE)
OnDate = Annotated[SupportedDate, Path(description="The holiday's (first) local date.")]


class HolidaySet(Recurring):
    """The holiday's name, and the rule it recurs by from the path's date (none: that date)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Christmas Day", "rrule": "FREQ=YEARLY"}, {"name": "Staff day"}]
        }
    )

    name: PlainText = Field(min_length=1, max_length=200)

    def spec(self, first: dt.date) -> HolidaySpec:
        """The validated holiday; 422 naming exdates or rdates without a rule or before it."""
        exdates, rdates = self.skipped_and_added(first)
        return HolidaySpec(self.name, self.rrule, exdates, rdates)


class HolidayPublic(BaseModel):
    """A holiday of a location; `occurs_on` lists its dates within a range a list asked about."""

    location_id: UUID
    date: dt.date = Field(description="Its date; the first one when it recurs.")
    name: str
    rrule: str | None
    exdates: list[dt.date]
    rdates: list[dt.date]
    updated_at: datetime
    occurs_on: list[dt.date] | None = None


class HolidayList(BaseModel):
    """Holidays by date."""

    items: list[HolidayPublic]


def _public(row: Any, occurs_on: tuple[dt.date, ...] | None = None) -> HolidayPublic:
    return HolidayPublic(
        location_id=row.location_id,
        date=row.on_date,
        name=row.name,
        rrule=row.rrule,
        exdates=row.exdates,
        rdates=row.rdates,
        updated_at=row.updated_at,
        occurs_on=list(occurs_on) if occurs_on is not None else None,
    )


@router.get("", dependencies=[READ])
async def list_holidays(
    location_id: UUID,
    ctx: RulesContextDep,
    first: Annotated[SupportedDate | None, Query(alias="from")] = None,
    last: Annotated[SupportedDate | None, Query(alias="to")] = None,
) -> HolidayList:
    """The location's holidays, optionally from/to a date (inclusive); with both, recurring
    ones are listed when they occur in between, with the dates they do (`occurs_on`)."""
    found: list[ListedHoliday] = await holidays.list_holidays(ctx, location_id, first, last)
    return HolidayList(items=[_public(item.row, item.occurs_on) for item in found])


@router.get("/{on}", dependencies=[READ])
async def read_holiday(location_id: UUID, on: OnDate, ctx: RulesContextDep) -> HolidayPublic:
    """One holiday by its (first) date; 404 when there is none."""
    return _public(await holidays.read_holiday(ctx, location_id, on))


@router.put("/{on}", dependencies=[WRITE])
async def set_holiday(
    location_id: UUID, on: OnDate, body: HolidaySet, ctx: RulesContextDep, confirm: Confirm = False
) -> HolidayPublic:
    """Set (or rename, or re-rule) the holiday on or from the date. Booked appointments there on
    its dates → 409 `appointments_outside_hours` unless `confirm=true`."""
    spec = body.spec(on)
    return _public(await holidays.set_holiday(ctx, location_id, on, spec, confirm=confirm))


@router.delete("/{on}", dependencies=[WRITE], status_code=status.HTTP_204_NO_CONTENT)
async def delete_holiday(location_id: UUID, on: OnDate, ctx: RulesContextDep) -> Response:
    """Take the holiday back (every date, when it recurs)."""
    await holidays.remove_holiday(ctx, location_id, on)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
