"""The engine's query and its answers: a slot query over local dates or a UTC range."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from schedules.domain.model import check_instants


@dataclass(frozen=True, slots=True)
class DateRange:
    """Local dates of the location, first and last inclusive."""

    first: date
    last: date


@dataclass(frozen=True, slots=True)
class UtcRange:
    """A half-open UTC range; a slot belongs to it when the slot starts inside it."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        check_instants(self.start, self.end)


@dataclass(frozen=True, slots=True)
class SlotQuery:
    """Slots of one appointment type over a window, as seen at `now`."""

    duration: timedelta
    window: DateRange | UtcRange
    now: datetime
    step: timedelta | None = None
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    min_notice: timedelta = timedelta(0)
    max_future_days: int | None = None
    appointment_type_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0) or (self.step is not None and self.step <= timedelta(0)):
            raise ValueError("duration and step must be positive")
        if self.now.tzinfo is None:
            raise ValueError("now must be timezone-aware")


@dataclass(frozen=True, slots=True)
class Window:
    """A maximal run of effective availability within one local date."""

    start: datetime
    end: datetime
    local_date: date


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable slot; `remaining` is how many more parallel sessions it can take."""

    start: datetime
    end: datetime
    remaining: int = 1
