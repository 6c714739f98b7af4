"""Forced blocks that recur: the first `[start, end)` repeated at the same local wall-clock times
of the block's zone on every date its recurrence chooses, as real UTC time (a skipped hour
covers nothing, a repeated one both times, as every local rule)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from schedules.domain.intervals import Span, merge
from schedules.domain.local_time import local_span, to_instant, to_seconds
from schedules.domain.model import MIDNIGHT, ForcedBlock
from schedules.domain.recurrence import Recurrence, recurrence_dates

MAX_LENGTH = timedelta(days=7)  # of each time, so a query looks back at most that far


@dataclass(frozen=True, slots=True)
class RecurringBlock:
    """A block whose first time is `[start, end)`; `rule` chooses its dates from start's local
    date in `zone` (less `exdates`, plus `rdates`)."""

    start: datetime
    end: datetime
    zone: ZoneInfo
    rule: str
    exdates: frozenset[date] = frozenset()
    rdates: frozenset[date] = frozenset()
    kind: Literal["forced", "emergency"] = "forced"

    @property
    def wall(self) -> tuple[datetime, datetime]:
        """The first time as naive local wall-clock date-times."""
        start, end = self.start.astimezone(self.zone), self.end.astimezone(self.zone)
        return start.replace(tzinfo=None), end.replace(tzinfo=None)

    @property
    def recurrence(self) -> Recurrence:
        """The dates it recurs on, from its first local date."""
        return Recurrence(self.rule, self.wall[0].date(), self.exdates, self.rdates)


def wall_spans(begin: datetime, end: datetime, zone: ZoneInfo) -> list[Span]:
    """The real time covered by naive local `[begin, end)`, date by date (see `local_span`)."""
    pieces: list[Span] = []
    for n in range((end.date() - begin.date()).days + 1):
        day = begin.date() + timedelta(days=n)
        low = begin.time() if n == 0 else MIDNIGHT
        high = end.time() if day == end.date() else MIDNIGHT  # MIDNIGHT as an end is 24:00
        if day == end.date() and high == MIDNIGHT:
            break  # it ended when this date began
        pieces.extend(local_span(day, low, high, zone))
    return merge(pieces)


def occurrences(block: RecurringBlock, low: datetime, high: datetime) -> list[ForcedBlock]:
    """The times of the block overlapping `[low, high)`, in order (touching ones joined)."""
    begin, end = block.wall
    length = end - begin
    low_s, high_s = to_seconds(low), to_seconds(high)
    first = low.astimezone(block.zone).date() - timedelta(days=length.days + 1)
    last = high.astimezone(block.zone).date()
    found: list[Span] = []
    for day in recurrence_dates(block.recurrence, first, last):
        start = datetime.combine(day, begin.time())
        found += [s for s in wall_spans(start, start + length, block.zone) if s[0] < high_s]
    return [
        ForcedBlock(to_instant(s), to_instant(e), block.kind) for s, e in merge(found) if low_s < e
    ]
