"""`/locations/{id}/holidays[/{date}]`: whole local dates on which the location is closed."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import BaseModel, Field

from clinic_platform.auth import Permission, require
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.schemas import Strict
from schedules.service.rules import location_rules

router = APIRouter(prefix="/locations/{location_id}/holidays", tags=["clinic hours"])
READ = require(Permission.CLINIC_HOURS_READ)
WRITE = require(Permission.CLINIC_HOURS_WRITE)


class HolidaySet(Strict):
    """The holiday's name."""

    name: str = Field(min_length=1, max_length=200)


class HolidayPublic(BaseModel):
    """A holiday of a location."""

    location_id: UUID
    date: dt.date
    name: str
    updated_at: datetime


class HolidayList(BaseModel):
    """Holidays by date."""

    items: list[HolidayPublic]


def _public(row: Any) -> HolidayPublic:
    return HolidayPublic(
        location_id=row.location_id, date=row.on_date, name=row.name, updated_at=row.updated_at
    )


@router.get("", dependencies=[READ])
async def list_holidays(
    location_id: UUID,
    ctx: RulesContextDep,
    first: Annotated[dt.date | None, Query(alias="from")] = None,
    last: Annotated[dt.date | None, Query(alias="to")] = None,
) -> HolidayList:
    """The location's holidays, optionally from/to a date (inclusive)."""
    rows = await location_rules.list_holidays(ctx, location_id, first, last)
    return HolidayList(items=[_public(row) for row in rows])


@router.get("/{on}", dependencies=[READ])
async def read_holiday(location_id: UUID, on: dt.date, ctx: RulesContextDep) -> HolidayPublic:
    """One holiday; 404 when there is none that day."""
    return _public(await location_rules.read_holiday(ctx, location_id, on))


@router.put("/{on}", dependencies=[WRITE])
async def set_holiday(
    location_id: UUID, on: dt.date, body: HolidaySet, ctx: RulesContextDep, confirm: Confirm = False
) -> HolidayPublic:
    """Set (or rename) the holiday. Booked appointments there that day → 409
    `appointments_outside_hours` unless `confirm=true`."""
    row = await location_rules.set_holiday(ctx, location_id, on, body.name, confirm=confirm)
    return _public(row)


@router.delete("/{on}", dependencies=[WRITE], status_code=status.HTTP_204_NO_CONTENT)
async def delete_holiday(location_id: UUID, on: dt.date, ctx: RulesContextDep) -> Response:
    """Take the holiday back."""
    await location_rules.remove_holiday(ctx, location_id, on)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
