"""Occupancy analytics: booked and available time per practitioner, local date and hour.

Definitions are those of `schedules.domain.occupancy`; the figures are derived from booking's
events and never written back.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from clinic_contracts.edge import SupportedDate
from clinic_platform.auth import Permission
from clinic_platform.auth import require as needs
from clinic_platform.errors import RuleViolation
from clinic_platform.runtime import UnitOfWorkDep
from schedules.domain.occupancy import DayFigures, PractitionerFigures, Tally, occupancy
from schedules.store.occupancy import occupancy_inputs

MAX_DAYS = 93
router = APIRouter(prefix="/analytics", tags=["analytics"])


class Figures(BaseModel):
    """Booked and available time; utilisation is booked / available (null: none available)."""

    booked_count: int = Field(
        description="Appointments (pending, confirmed, completed, no-show) starting here."
    )
    booked_minutes: float = Field(description="Minutes of appointments here, buffers excluded.")
    available_minutes: float = Field(description="Minutes of effective availability here.")
    utilisation: float | None = Field(description="booked / available minutes; null if none.")


class HourOccupancy(Figures):
    """One local hour; a repeated autumn hour spans both occurrences, a skipped one is absent."""

    hour: int = Field(ge=0, le=23, description="Local hour of day in the location's zone.")
    start: datetime = Field(description="When the hour begins, UTC.")
    end: datetime = Field(description="When the hour ends, UTC.")


class DayOccupancy(Figures):
    """One local date of the practitioner at one location."""

    date: date
    location_id: UUID
    timezone: str = Field(description="IANA zone the date and hours are local to.")
    hours: list[HourOccupancy]


class PeakHour(Figures):
    """A local hour of day, summed over the range."""

    hour: int = Field(ge=0, le=23)


class PractitionerOccupancy(Figures):
    """A practitioner's totals, outcomes, peak hours and days over the range."""

    practitioner_id: UUID
    completed_count: int
    no_show_count: int
    no_show_rate: float | None = Field(
        description="no_show / (completed + no_show) of appointments starting in the range; "
        "null while none has ended."
    )
    peak_hours: list[PeakHour] = Field(description="Up to 3 hours of day by booked minutes.")
    days: list[DayOccupancy] = Field(description="Dates with availability or bookings.")


class OccupancyReport(BaseModel):
    """Occupancy over local dates `from`..`to` (inclusive)."""

    model_config = ConfigDict(populate_by_name=True)

    first: date = Field(alias="from")
    last: date = Field(alias="to")
    practitioners: list[PractitionerOccupancy]


@router.get("/occupancy", dependencies=[needs(Permission.ANALYTICS_READ)])
async def get_occupancy(
    uow: UnitOfWorkDep,
    first: Annotated[
        SupportedDate, Query(alias="from", description="First local date (YYYY-MM-DD).")
    ],
    last: Annotated[SupportedDate, Query(alias="to", description="Last local date, inclusive.")],
    practitioner_id: UUID | None = None,
    location_id: UUID | None = None,
) -> OccupancyReport:
    """Per practitioner, local date and hour: booked count and minutes, available minutes and
    utilisation; per practitioner the no-show rate and peak hours. At most 93 days."""
    if last < first:
        raise RuleViolation("'to' is before 'from'", code="invalid_range", field="to")
    if (last - first).days + 1 > MAX_DAYS:
        raise RuleViolation(
            f"at most {MAX_DAYS} days per request", code="range_too_long", field="to"
        )
    async with uow:
        inputs = await occupancy_inputs(
            uow.session, first, last, practitioner_id=practitioner_id, location_id=location_id
        )
    # Off the event loop: the consumer and the relay share it, and a long range takes a while.
    found = await asyncio.to_thread(occupancy, inputs, first, last)
    return OccupancyReport(first=first, last=last, practitioners=[_practitioner(p) for p in found])


def _figures(tally: Tally) -> dict[str, Any]:
    ratio = tally.utilisation
    return {
        "booked_count": tally.booked_count,
        "booked_minutes": round(tally.booked_seconds / 60, 2),
        "available_minutes": round(tally.available_seconds / 60, 2),
        "utilisation": None if ratio is None else round(ratio, 4),
    }


def _day(day: DayFigures) -> DayOccupancy:
    hours = [
        HourOccupancy(hour=h.hour, start=h.start, end=h.end, **_figures(h.tally)) for h in day.hours
    ]
    return DayOccupancy(
        date=day.day,
        location_id=day.location_id,
        timezone=day.zone.key,
        hours=hours,
        **_figures(day.tally),
    )


def _practitioner(found: PractitionerFigures) -> PractitionerOccupancy:
    rate = found.no_show_rate
    return PractitionerOccupancy(
        practitioner_id=found.practitioner_id,
        completed_count=found.completed,
        no_show_count=found.no_show,
        no_show_rate=None if rate is None else round(rate, 4),
        peak_hours=[PeakHour(hour=hour, **_figures(tally)) for hour, tally in found.peak_hours],
        days=[_day(day) for day in found.days],
        **_figures(found.tally),
    )
