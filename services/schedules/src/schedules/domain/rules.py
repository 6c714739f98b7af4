"""The design's priority layers, applied per local date, giving effective availability.

Forced blocks, emergencies, approved leave and holidays only remove time and clinic hours cap
everything, so their relative order cannot change the result; an available exception adds time
that every one of them still removes, and a blocked exception beats an available one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from uuid import UUID

from schedules.domain.intervals import Span, Weighted, intersect, max_profile, merge, subtract
from schedules.domain.local_time import local_span, to_seconds, whole_day
from schedules.domain.model import AvailabilityException, ScheduleRules, WeeklyInterval
from schedules.domain.recurrence import entry_dates


@dataclass(frozen=True, slots=True)
class Effective:
    """Windows of effective availability and the parallel-session capacity over them."""

    windows: list[Span]
    capacity: list[Weighted]


def days_between(first: date, last: date) -> list[date]:
    """Every local date from `first` to `last`, both included."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def closed_dates(rules: ScheduleRules, first: date, last: date) -> set[date]:
    """Dates of `first`..`last` that a holiday of the location takes whole."""
    return {day for holiday in rules.holidays for day in entry_dates(holiday, first, last)}


class _DayRules:
    """The rules of one query indexed by weekday and date, so each date costs only its own."""

    def __init__(self, rules: ScheduleRules, days: list[date], type_id: UUID | None) -> None:
        self.zone = rules.zone
        self.clinic = rules.clinic_hours
        self.weekly: dict[int, list[WeeklyInterval]] = defaultdict(list)
        for interval in rules.weekly:
            if interval.location_id in (None, rules.location_id):
                self.weekly[interval.weekday].append(interval)
        self.exceptions: dict[date, list[AvailabilityException]] = defaultdict(list)
        for entry in rules.exceptions:
            if entry.appointment_type_id not in (None, type_id):
                continue
            if entry.location_id not in (None, rules.location_id):
                continue
            for day in entry_dates(entry, days[0], days[-1]):
                self.exceptions[day].append(entry)
        self.closed = closed_dates(rules, days[0], days[-1])
        self.clinic_weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
        self.clinic_overrides: dict[date, list[tuple[time, time]]] = defaultdict(list)
        if self.clinic is not None:
            self.closed |= self.clinic.closed
            for hours in self.clinic.weekly:
                self.clinic_weekly[hours.weekday].append((hours.start, hours.end))
            for override in self.clinic.overrides:
                self.clinic_overrides[override.on].append((override.start, override.end))

    def clinic_spans(self, day: date) -> list[Span]:
        """Clinic hours of the date: its overrides if any, else its weekday's intervals."""
        local = self.clinic_overrides.get(day) or self.clinic_weekly.get(day.weekday(), [])
        return merge(
            span for start, end in local for span in local_span(day, start, end, self.zone)
        )

    def spans(self, day: date, start: time | None, end: time | None) -> tuple[Span, ...]:
        """UTC spans of a local entry on the date; no times means the whole date."""
        if start is None or end is None:
            return (whole_day(day, self.zone),)
        return local_span(day, start, end, self.zone)

    def availability(self, day: date) -> tuple[list[Span], list[Weighted]]:
        """Template plus available exceptions, minus blocked ones, within clinic hours."""
        if day in self.closed:
            return [], []
        offered: list[Weighted] = []
        for interval in self.weekly.get(day.weekday(), ()):
            if interval.valid_on(day):
                sessions = interval.max_parallel_sessions
                spans = self.spans(day, interval.start, interval.end)
                offered.extend((start, end, sessions) for start, end in spans)
        blocked: list[Span] = []
        for entry in self.exceptions.get(day, ()):
            spans = self.spans(day, entry.start, entry.end)
            if entry.kind == "blocked":
                blocked.extend(spans)
            else:
                sessions = entry.max_parallel_sessions
                offered.extend((start, end, sessions) for start, end in spans)
        if not offered:
            return [], []
        available = subtract(merge((start, end) for start, end, _ in offered), merge(blocked))
        if self.clinic is not None:
            available = intersect(available, self.clinic_spans(day))
        if all(sessions == 1 for _, _, sessions in offered):
            return available, [(start, end, 1) for start, end in available]
        return available, max_profile(offered)


def removals(rules: ScheduleRules) -> list[Span]:
    """Forced blocks, emergencies and approved leave, merged."""
    spans: Iterable[Span] = [
        *((to_seconds(b.start), to_seconds(b.end)) for b in rules.blocks),
        *((to_seconds(v.start), to_seconds(v.end)) for v in rules.leaves if v.approved),
    ]
    return merge(spans)


def effective(
    rules: ScheduleRules, first: date, last: date, appointment_type_id: UUID | None
) -> Effective:
    """Effective availability of every local date from `first` to `last`."""
    days = days_between(first, last)
    index = _DayRules(rules, days, appointment_type_id)
    windows: list[Span] = []
    capacity: list[Weighted] = []
    for day in days:
        available, sessions = index.availability(day)
        windows.extend(available)
        capacity.extend(sessions)
    # Days follow each other in UTC, so the concatenation is sorted; pieces meeting at midnight
    # stay apart because subtract never joins its input.
    return Effective(subtract(windows, removals(rules)), capacity)
