"""Plain, immutable inputs and outputs of the availability engine.

Local rules carry wall-clock times of the location's zone; instants are aware UTC datetimes.
Weekdays follow `date.weekday()`: 0 is Monday, 6 is Sunday. An end of `time(0)` means midnight at
the end of the day (24:00), so an interval can run to the end of its date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from schedules.domain.recurrence import Recurrence

MIDNIGHT = time(0)


def _check_local(start: time, end: time) -> None:
    if end != MIDNIGHT and end <= start:
        raise ValueError(f"end {end} is not after start {start}")


def check_instants(start: datetime, end: datetime) -> None:
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    if end <= start:
        raise ValueError(f"end {end} is not after start {start}")


@dataclass(frozen=True, slots=True)
class WeeklyInterval:
    """One interval of the default weekly schedule, valid between two dates (inclusive)."""

    weekday: int
    start: time
    end: time
    max_parallel_sessions: int = 1
    location_id: UUID | None = None
    effective_from: date | None = None
    effective_to: date | None = None

    def __post_init__(self) -> None:
        _check_local(self.start, self.end)
        if not 0 <= self.weekday <= 6 or self.max_parallel_sessions < 1:
            raise ValueError("weekday must be 0..6 and max_parallel_sessions at least 1")

    def valid_on(self, day: date) -> bool:
        """Whether the interval's effective-from/to range holds `day`."""
        after = self.effective_from is None or self.effective_from <= day
        return after and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True, slots=True)
class ClinicInterval:
    """Opening hours of the location on one weekday."""

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        _check_local(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ClinicOverride:
    """Opening hours on one date; all overrides of a date replace that weekday's hours."""

    on: date
    start: time
    end: time

    def __post_init__(self) -> None:
        _check_local(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ClinicHours:
    """The location's clinic hours: weekday intervals, date overrides and closed dates."""

    weekly: tuple[ClinicInterval, ...] = ()
    overrides: tuple[ClinicOverride, ...] = ()
    closed: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class AvailabilityException:
    """A blocked or extra-available entry, on one date or on the dates an RRULE chooses from
    `dtstart` (less `exdates`, plus `rdates`).

    No start and end means all day. A type restriction makes it apply to that type only.
    """

    kind: Literal["blocked", "available"]
    on: date | None = None
    rrule: str | None = None
    dtstart: date | None = None
    exdates: frozenset[date] = frozenset()
    rdates: frozenset[date] = frozenset()
    start: time | None = None
    end: time | None = None
    appointment_type_id: UUID | None = None
    location_id: UUID | None = None
    max_parallel_sessions: int = 1

    def __post_init__(self) -> None:
        if (self.on is None) == (self.rrule is None):
            raise ValueError("give either a date or an rrule")
        if self.rrule is not None and self.dtstart is None:
            raise ValueError("a recurring exception needs dtstart")
        if self.rrule is None and (self.exdates or self.rdates):
            raise ValueError("exdates and rdates go with an rrule")
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither for all day")
        if self.start is not None and self.end is not None:
            _check_local(self.start, self.end)

    @property
    def recurrence(self) -> Recurrence | None:
        """The dates it recurs on, None when it is on one date."""
        if self.rrule is None or self.dtstart is None:
            return None
        return Recurrence(self.rrule, self.dtstart, self.exdates, self.rdates)


@dataclass(frozen=True, slots=True)
class Leave:
    """A leave request; only an approved one removes time."""

    start: datetime
    end: datetime
    approved: bool = True

    def __post_init__(self) -> None:
        check_instants(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Holiday:
    """A holiday of the location: its whole local date is removed, or with a recurrence (from
    `on`) every date it chooses."""

    on: date
    recurrence: Recurrence | None = None


@dataclass(frozen=True, slots=True)
class ForcedBlock:
    """An admin forced block or an emergency unavailability."""

    start: datetime
    end: datetime
    kind: Literal["forced", "emergency"] = "forced"

    def __post_init__(self) -> None:
        check_instants(self.start, self.end)


@dataclass(frozen=True, slots=True)
class BookedInterval:
    """A booked appointment or hold, with its own type's buffers; an expired hold is ignored."""

    start: datetime
    end: datetime
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    expires_at: datetime | None = None

    def __post_init__(self) -> None:
        check_instants(self.start, self.end)


@dataclass(frozen=True, slots=True)
class BusyInterval:
    """Time an external calendar reports busy."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        check_instants(self.start, self.end)


@dataclass(frozen=True, slots=True)
class ScheduleRules:
    """Everything the engine knows of one practitioner at one location."""

    zone: ZoneInfo
    weekly: tuple[WeeklyInterval, ...] = ()
    clinic_hours: ClinicHours | None = None
    exceptions: tuple[AvailabilityException, ...] = ()
    leaves: tuple[Leave, ...] = ()
    holidays: tuple[Holiday, ...] = ()
    blocks: tuple[ForcedBlock, ...] = ()
    booked: tuple[BookedInterval, ...] = ()
    busy: tuple[BusyInterval, ...] = ()
    location_id: UUID | None = None
