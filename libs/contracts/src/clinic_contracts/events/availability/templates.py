"""Weekly templates and clinic opening hours."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import ClassVar, Self
from uuid import UUID

from pydantic import Field, model_validator

from clinic_contracts.events.availability.common import LOCATION, PRACTITIONER, AvailabilityEvent
from clinic_contracts.events.base import with_examples
from clinic_contracts.primitives import ContractModel, LocalTimeRange, Weekday


class WeeklyInterval(LocalTimeRange):
    """One working interval of the weekly template."""

    weekday: Weekday = Field(description="Day of the week the interval repeats on.")
    max_parallel_sessions: int = Field(default=1, ge=1, description="Appointments at once.")


class WeekdayHours(LocalTimeRange):
    """One opening interval of a location on a day of the week."""

    weekday: Weekday = Field(description="Day of the week the interval repeats on.")


class DateOverride(ContractModel):
    """Opening hours that replace the weekly hours on one local date."""

    date: dt.date = Field(description="Local date the override applies to.")
    intervals: list[LocalTimeRange] = Field(min_length=1, description="Opening hours that day.")


def _ensure_disjoint(groups: Iterable[tuple[object, LocalTimeRange]], field: str) -> None:
    seen: dict[object, list[LocalTimeRange]] = {}
    for key, interval in groups:
        seen.setdefault(key, []).append(interval)
    for key, intervals in seen.items():
        ordered = sorted(intervals, key=lambda i: i.start_time)
        for before, after in itertools.pairwise(ordered):
            if after.start_time < before.end_time:
                raise ValueError(f"{field}: overlapping intervals on {key}")


class WeeklyScheduleReplaced(AvailabilityEvent):
    """A practitioner's weekly template at a location was replaced as a whole."""

    event_type: ClassVar[str] = "clinic.schedules.weekly_schedule.replaced.v1"
    model_config = with_examples(
        {
            "practitioner_id": PRACTITIONER,
            "location_id": LOCATION,
            "effective_from": "2025-01-01",
            "effective_to": None,
            "intervals": [
                {"weekday": "monday", "start_time": "09:00", "end_time": "12:00"},
                {
                    "weekday": "monday",
                    "start_time": "14:00",
                    "end_time": "18:00",
                    "max_parallel_sessions": 2,
                },
            ],
        }
    )

    practitioner_id: UUID = Field(description="Practitioner whose template it is; the key.")
    location_id: UUID = Field(description="Location the template applies at.")
    effective_from: dt.date = Field(description="First local date the template applies.")
    effective_to: dt.date | None = Field(default=None, description="Last date; None = open.")
    intervals: list[WeeklyInterval] = Field(description="All intervals; none overlap per day.")

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("effective_to must not be before effective_from")
        _ensure_disjoint(((i.weekday, i) for i in self.intervals), "intervals")
        return self


class ClinicHoursChanged(AvailabilityEvent):
    """A location's opening hours, date overrides or closed dates changed (full state)."""

    event_type: ClassVar[str] = "clinic.schedules.clinic_hours.changed.v1"
    key_field: ClassVar[str] = "location_id"
    model_config = with_examples(
        {
            "location_id": LOCATION,
            "hours": [{"weekday": "monday", "start_time": "08:00", "end_time": "20:00"}],
            "date_overrides": [
                {"date": "2025-01-28", "intervals": [{"start_time": "08:00", "end_time": "12:00"}]}
            ],
            "closed_dates": ["2025-01-29"],
        }
    )

    location_id: UUID = Field(description="Location whose hours changed; the message key.")
    hours: list[WeekdayHours] = Field(description="Weekly opening hours; none overlap per day.")
    date_overrides: list[DateOverride] = Field(
        default_factory=list, description="Dates whose hours replace the weekly hours."
    )
    closed_dates: list[dt.date] = Field(default_factory=list, description="Closed all day.")

    @model_validator(mode="after")
    def _valid(self) -> Self:
        _ensure_disjoint(((i.weekday, i) for i in self.hours), "hours")
        _ensure_disjoint(
            ((o.date, i) for o in self.date_overrides for i in o.intervals), "date_overrides"
        )
        if clash := {o.date for o in self.date_overrides} & set(self.closed_dates):
            raise ValueError(f"closed_dates also overridden in date_overrides: {sorted(clash)}")
        return self
