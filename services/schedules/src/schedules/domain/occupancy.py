"""Occupancy analytics: booked and available time per practitioner, local date and local hour.

Definitions (the analytics API documents the same):

* booked: an appointment whose last known status is pending, confirmed, completed or no_show
  (holds, cancelled and declined ones are not occupancy). Its own `[start, end)` counts, buffers
  do not, and every practitioner it occupies gets all of it.
* available: time inside the windows of effective availability (`effective_windows`).
* utilisation: booked / available time; None where nothing was available.
* booked_count: appointments *starting* in the hour or day, so hours add up to their day.
* no-show rate: no_show / (completed + no_show) of the appointments starting in the range;
  None while none of them has ended either way.
* hours are wall-clock hours of the location's zone in real elapsed time: a skipped hour has
  no time, a repeated hour holds both of its occurrences (up to 120 minutes).
* peak hours: the hours of day with the most booked time over the range, ties to the earlier.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from uuid import UUID
from zoneinfo import ZoneInfo

from schedules.domain.engine import effective_windows
from schedules.domain.local_time import local_span, to_instant, to_seconds
from schedules.domain.model import MIDNIGHT, ScheduleRules
from schedules.domain.query import DateRange
from schedules.domain.rules import days_between

BOOKED_STATUSES = frozenset({"pending", "confirmed", "completed", "no_show"})
PEAK_HOURS = 3
UTC_ZONE = ZoneInfo("UTC")

Key = tuple[UUID, UUID]  # (practitioner, location)
HourKey = tuple[date, int]  # a local date and an hour of that day, 0..23


@dataclass(frozen=True, slots=True)
class AppointmentFact:
    """One practitioner's share of an appointment, as the projection last saw it."""

    practitioner_id: UUID
    location_id: UUID
    start: datetime
    end: datetime
    status: str


@dataclass(frozen=True, slots=True)
class OccupancyInputs:
    """What the figures are computed from: facts, rules per (practitioner, location), zones."""

    facts: Sequence[AppointmentFact]
    rules: dict[Key, ScheduleRules] = field(default_factory=dict)
    zones: dict[UUID, ZoneInfo] = field(default_factory=dict)  # location → zone, without rules


@dataclass(slots=True)
class Tally:
    """Booked and available time of an hour, a day or a whole range, in seconds."""

    booked_count: int = 0
    booked_seconds: int = 0
    available_seconds: int = 0

    @property
    def utilisation(self) -> float | None:
        """Booked over available time; None when nothing was available."""
        if not self.available_seconds:
            return None
        return self.booked_seconds / self.available_seconds

    def add(self, other: Tally) -> None:
        self.booked_count += other.booked_count
        self.booked_seconds += other.booked_seconds
        self.available_seconds += other.available_seconds


@dataclass(frozen=True, slots=True)
class HourFigures:
    """One local hour of one date; `start`/`end` are the UTC instants it spans."""

    hour: int
    start: datetime
    end: datetime
    tally: Tally


@dataclass(frozen=True, slots=True)
class DayFigures:
    """One local date of a practitioner at a location, with its hours in time order."""

    day: date
    location_id: UUID
    zone: ZoneInfo
    hours: tuple[HourFigures, ...]
    tally: Tally


@dataclass(frozen=True, slots=True)
class PractitionerFigures:
    """A practitioner's days, totals, peak hours and outcomes over the range."""

    practitioner_id: UUID
    days: tuple[DayFigures, ...]
    tally: Tally
    peak_hours: tuple[tuple[int, Tally], ...]
    completed: int
    no_show: int

    @property
    def no_show_rate(self) -> float | None:
        """no_show / (completed + no_show); None when no appointment has ended yet."""
        ended = self.completed + self.no_show
        return self.no_show / ended if ended else None


class HourGrid:
    """The local hours of `first..last` in a zone, as sorted UTC pieces of epoch seconds."""

    def __init__(self, first: date, last: date, zone: ZoneInfo) -> None:
        pieces: list[tuple[int, int, HourKey]] = []
        for day in days_between(first, last):
            for hour in range(24):
                end = time(hour + 1) if hour < 23 else MIDNIGHT
                # A skipped hour has no span; a repeated one one span or more.
                for start_s, end_s in local_span(day, time(hour), end, zone):
                    pieces.append((start_s, end_s, (day, hour)))
        pieces.sort()
        self._pieces = pieces
        self._starts = [piece[0] for piece in pieces]
        self.bounds: dict[HourKey, tuple[int, int]] = {}
        for start_s, end_s, key in pieces:
            low, high = self.bounds.get(key, (start_s, end_s))
            self.bounds[key] = (min(low, start_s), max(high, end_s))

    def spread(self, start: int, end: int) -> Iterator[tuple[HourKey, int]]:
        """The seconds of `[start, end)` falling in each hour of the grid."""
        index = max(bisect_right(self._starts, start) - 1, 0)
        while index < len(self._pieces) and self._pieces[index][0] < end:
            low, high, key = self._pieces[index]
            if max(low, start) < min(high, end):
                yield key, min(high, end) - max(low, start)
            index += 1

    def locate(self, instant: int) -> HourKey | None:
        """The hour holding `instant`, None outside the grid."""
        index = bisect_right(self._starts, instant) - 1
        if index >= 0 and instant < self._pieces[index][1]:
            return self._pieces[index][2]
        return None


def occupancy(inputs: OccupancyInputs, first: date, last: date) -> list[PractitionerFigures]:
    """Figures of every practitioner with rules or bookings in `first..last`, by id."""
    grids: dict[ZoneInfo, HourGrid] = {}
    zones: dict[Key, ZoneInfo] = {}
    hours: dict[Key, defaultdict[HourKey, Tally]] = {}
    ended: defaultdict[UUID, Counter[str]] = defaultdict(Counter)

    def open_key(key: Key) -> tuple[HourGrid, defaultdict[HourKey, Tally]]:
        if key not in zones:
            rules = inputs.rules.get(key)
            zones[key] = rules.zone if rules else inputs.zones.get(key[1], UTC_ZONE)
            hours[key] = defaultdict(Tally)
        zone = zones[key]
        if zone not in grids:
            grids[zone] = HourGrid(first, last, zone)
        return grids[zone], hours[key]

    for key, rules in inputs.rules.items():
        grid, tallies = open_key(key)
        for window in effective_windows(rules, DateRange(first, last)):
            for at, seconds in grid.spread(to_seconds(window.start), to_seconds(window.end)):
                tallies[at].available_seconds += seconds
    for fact in inputs.facts:
        if fact.status not in BOOKED_STATUSES:
            continue
        grid, tallies = open_key((fact.practitioner_id, fact.location_id))
        start = to_seconds(fact.start)
        for at, seconds in grid.spread(start, to_seconds(fact.end)):
            tallies[at].booked_seconds += seconds
        starts_in = grid.locate(start)
        if starts_in is not None:
            tallies[starts_in].booked_count += 1
            ended[fact.practitioner_id][fact.status] += 1
    # Practitioners with rules are listed even when idle; bookings alone must fall in range.
    days: defaultdict[UUID, list[DayFigures]] = defaultdict(list)
    for key, tallies in hours.items():
        if tallies or key in inputs.rules:
            days[key[0]].extend(_days(key[1], zones[key], grids[zones[key]], tallies))
    return [_practitioner(p, days[p], ended[p]) for p in sorted(days, key=str)]


def _days(
    location_id: UUID, zone: ZoneInfo, grid: HourGrid, tallies: dict[HourKey, Tally]
) -> Iterator[DayFigures]:
    by_day: defaultdict[date, list[HourFigures]] = defaultdict(list)
    for (day, hour), tally in tallies.items():
        low, high = grid.bounds[(day, hour)]
        by_day[day].append(HourFigures(hour, to_instant(low), to_instant(high), tally))
    for day, figures in by_day.items():
        total = Tally()
        for figure in figures:
            total.add(figure.tally)
        ordered = tuple(sorted(figures, key=lambda figure: figure.start))
        yield DayFigures(day, location_id, zone, ordered, total)


def _practitioner(
    practitioner_id: UUID, days: list[DayFigures], outcomes: Counter[str]
) -> PractitionerFigures:
    total = Tally()
    by_hour: defaultdict[int, Tally] = defaultdict(Tally)
    for day in days:
        total.add(day.tally)
        for figure in day.hours:
            by_hour[figure.hour].add(figure.tally)
    busiest = sorted(
        (item for item in by_hour.items() if item[1].booked_seconds > 0),
        key=lambda item: (-item[1].booked_seconds, item[0]),
    )
    return PractitionerFigures(
        practitioner_id,
        tuple(sorted(days, key=lambda day: (day.day, str(day.location_id)))),
        total,
        tuple(busiest[:PEAK_HOURS]),
        outcomes["completed"],
        outcomes["no_show"],
    )
