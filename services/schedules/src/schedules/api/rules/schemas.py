"""Shapes the rules API shares: local clock times, intervals, a week of intervals by day name.

Local times are wall-clock times of the location's zone, "HH:MM" or "HH:MM:SS". The end of the
day is written "24:00" (stored as "00:00", which the engine reads as midnight at the day's end);
"00:00" as an end is refused so that nobody has to guess which midnight it means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import time
from functools import partial
from typing import Annotated, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)
from pydantic_core import PydanticCustomError

from clinic_contracts.primitives import Weekday
from clinic_platform.errors import RuleViolation
from schedules.domain.model import MIDNIGHT

WEEKDAYS = tuple(Weekday)  # Monday first, as `date.weekday()` counts
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_END_OF_DAY = ("24:00", "24:00:00")
DAY_SECONDS = 86_400


def _parse_clock(value: object, *, end: bool) -> time:
    if isinstance(value, time):
        return value
    text = str(value)
    if end and text in _END_OF_DAY:
        return MIDNIGHT
    match = _CLOCK.match(text)
    if match is None:
        hint = " (24:00 for the end of the day)" if end else ""
        raise PydanticCustomError("local_time", f"expected a local time HH:MM or HH:MM:SS{hint}")
    parsed = time(int(match[1]), int(match[2]), int(match[3] or 0))
    if end and parsed == MIDNIGHT:
        raise PydanticCustomError("end_of_day", "write the end of the day as 24:00, not 00:00")
    return parsed


def clock_text(at: time, *, end: bool = False) -> str:
    """A local time as the API writes it; an end at midnight is "24:00"."""
    if end and at == MIDNIGHT:
        return "24:00"
    return at.isoformat(timespec="seconds" if at.second else "minutes")


def seconds(at: time, *, end: bool = False) -> int:
    """Seconds since local midnight; an end at midnight counts as the whole day."""
    if end and at == MIDNIGHT:
        return DAY_SECONDS
    return at.hour * 3600 + at.minute * 60 + at.second


_SCHEMA = {"type": "string", "pattern": r"^\d\d:\d\d(:\d\d)?$"}
StartTime = Annotated[
    time,
    BeforeValidator(partial(_parse_clock, end=False)),
    PlainSerializer(clock_text, return_type=str, when_used="json"),
    WithJsonSchema({**_SCHEMA, "examples": ["09:00"]}),
]
EndTime = Annotated[
    time,
    BeforeValidator(partial(_parse_clock, end=True)),
    PlainSerializer(partial(clock_text, end=True), return_type=str, when_used="json"),
    WithJsonSchema({**_SCHEMA, "examples": ["12:00", "24:00"]}),
]


class Strict(BaseModel):
    """A request body: unknown fields are refused, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")


class Interval(Strict):
    """Local wall-clock [start_time, end_time) within one day."""

    start_time: StartTime
    end_time: EndTime

    @field_validator("end_time")
    @classmethod
    def _after_start(cls, end: time, info: ValidationInfo) -> time:
        start = info.data.get("start_time")
        if start is not None and seconds(end, end=True) <= seconds(start):
            raise PydanticCustomError("end_not_after_start", "end_time must be after start_time")
        return end

    @property
    def label(self) -> str:
        """ "09:00-12:00", as the overlap problem lists it."""
        return f"{clock_text(self.start_time)}-{clock_text(self.end_time, end=True)}"


class SessionInterval(Interval):
    """A working interval of the weekly schedule; parallel sessions default to one."""

    max_parallel_sessions: int = Field(default=1, ge=1, le=100)


def check_disjoint(groups: Mapping[str, Sequence[Interval]]) -> None:
    """422 `overlapping_intervals` naming the first day (field) whose intervals overlap."""
    overlaps: dict[str, list[str]] = {}
    for field, intervals in groups.items():
        ordered = sorted(intervals, key=lambda i: seconds(i.start_time))
        clashing: list[Interval] = []
        for n, earlier in enumerate(ordered):
            for later in ordered[n + 1 :]:
                if seconds(later.start_time) < seconds(earlier.end_time, end=True):
                    clashing += [i for i in (earlier, later) if i not in clashing]
        if clashing:
            overlaps[field] = [i.label for i in clashing]
    if overlaps:
        field, listed = next(iter(overlaps.items()))
        raise RuleViolation(
            f"time intervals cannot overlap: {', '.join(listed)} on {field}",
            code="overlapping_intervals",
            field=field,
            extra={"details": {"conflicting_intervals": listed}, "overlaps": overlaps},
        )


Week = dict[Weekday, list[SessionInterval]]
OpeningWeek = dict[Weekday, list[Interval]]


AnyInterval = TypeVar("AnyInterval", bound=Interval)


def by_weekday(week: Mapping[Weekday, Sequence[AnyInterval]]) -> list[tuple[int, AnyInterval]]:
    """(weekday index, interval) pairs, Monday = 0."""
    return [(WEEKDAYS.index(day), i) for day, intervals in week.items() for i in intervals]
