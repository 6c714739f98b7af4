"""Local wall-clock intervals on a date in an IANA zone, as the real UTC time they cover.

A local interval covers every instant whose local wall time on that date lies inside it: an hour
skipped in spring covers nothing and an hour repeated in autumn is covered both times it occurs,
each instant once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from schedules.domain.intervals import Span, Weighted
from schedules.domain.model import MIDNIGHT

DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_seconds(instant: datetime) -> int:
    """An aware datetime as epoch seconds."""
    return int(instant.timestamp())


def ceil_seconds(instant: datetime) -> int:
    """An aware datetime as epoch seconds rounded up, exactly: as the bound of what may still be
    offered, a slot that began 0.3 s ago has begun."""
    elapsed = instant - _EPOCH
    return elapsed.days * DAY + elapsed.seconds + (1 if elapsed.microseconds else 0)


def to_instant(seconds: int) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(seconds, UTC)


def local_date(seconds: int, zone: ZoneInfo) -> date:
    """The local date of an instant in the zone."""
    return datetime.fromtimestamp(seconds, zone).date()


def _offset(seconds: int, zone: ZoneInfo) -> int:
    offset = datetime.fromtimestamp(seconds, zone).utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def _naive_seconds(day: date, at: time) -> int:
    """Wall-clock `day at` counted as if it were UTC, to compare with `utc + offset`."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY + at.hour * 3600 + at.minute * 60 + at.second


@lru_cache(maxsize=65_536)
def day_start(day: date, zone: ZoneInfo) -> int:
    """The first instant whose local date is `day`."""
    naive = datetime.combine(day, MIDNIGHT)
    first = to_seconds(naive.replace(tzinfo=zone))
    if datetime.fromtimestamp(first, zone).replace(tzinfo=None) == naive:
        return first
    # Midnight fell in a spring gap: the day began at the transition, found by bisection.
    low, high = first - DAY, first
    while high - low > 1:
        middle = (low + high) // 2
        if local_date(middle, zone) >= day:
            high = middle
        else:
            low = middle
    return high


@lru_cache(maxsize=65_536)
def day_segments(day: date, zone: ZoneInfo) -> tuple[Weighted, ...]:
    """The day's UTC span cut where the offset changes: (utc start, utc end, offset seconds)."""
    start, end = day_start(day, zone), day_start(day + timedelta(days=1), zone)
    first, last = _offset(start, zone), _offset(end - 1, zone)
    if first == last:
        return ((start, end, first),)
    low, high = start, end - 1
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(middle, zone) == first:
            low = middle
        else:
            high = middle
    return ((start, high, first), (high, end, last))


@lru_cache(maxsize=65_536)
def local_span(day: date, start: time, end: time, zone: ZoneInfo) -> tuple[Span, ...]:
    """The UTC spans covered by local `[start, end)` on `day`; an end of 00:00 means 24:00."""
    wall_start = _naive_seconds(day, start)
    wall_end = _naive_seconds(day, end) + (DAY if end == MIDNIGHT else 0)
    out: list[Span] = []
    for utc_start, utc_end, offset in day_segments(day, zone):
        low = max(wall_start, utc_start + offset)
        high = min(wall_end, utc_end + offset)
        if low >= high:
            continue
        if out and out[-1][1] == low - offset:
            # Runs meeting at the transition instant are one run of real time.
            out[-1] = (out[-1][0], high - offset)
        else:
            out.append((low - offset, high - offset))
    return tuple(out)


def whole_day(day: date, zone: ZoneInfo) -> Span:
    """The UTC span of the whole local date."""
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)
