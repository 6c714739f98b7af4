"""Windows to slots: aligned starts, buffers, bookings, busy time, notice, horizon, capacity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from schedules.domain.intervals import Span, Weighted, depth_profile
from schedules.domain.local_time import to_seconds
from schedules.domain.model import ScheduleRules

# External busy time is never shared, whatever a template's capacity.
EXCLUSIVE = 1 << 30


@dataclass(frozen=True, slots=True)
class SlotBounds:
    """A query reduced to epoch seconds; a slot's start lies in `[earliest, latest)`."""

    duration: int
    step: int
    before: int
    after: int
    earliest: int
    latest: int


def occupancy(rules: ScheduleRules, now: datetime, low: int, high: int) -> list[Weighted]:
    """Sessions running at each moment of `[low, high)`: live bookings and holds widened by
    their buffers, and busy time, which no parallel session may share."""
    spans: list[Weighted] = []
    for b in rules.booked:
        if b.expires_at is None or b.expires_at > now:
            start = to_seconds(b.start) - int(b.buffer_before.total_seconds())
            end = to_seconds(b.end) + int(b.buffer_after.total_seconds())
            if start < high and low < end:
                spans.append((start, end, 1))
    for busy in rules.busy:
        start, end = to_seconds(busy.start), to_seconds(busy.end)
        if start < high and low < end:
            spans.append((start, end, EXCLUSIVE))
    return depth_profile(spans)


def _first_start(window_start: int, earliest: int, step: int) -> int:
    """The first aligned candidate of a window at or after `earliest`."""
    if window_start >= earliest:
        return window_start
    return window_start - (window_start - earliest) // step * step


def _sessions(capacity: Sequence[Weighted], index: int, start: int, end: int) -> int:
    """The smallest capacity over `[start, end)`, read from `capacity[index:]`."""
    smallest = 0
    while index < len(capacity) and capacity[index][0] < end:
        if capacity[index][1] > start:
            weight = capacity[index][2]
            smallest = weight if smallest == 0 else min(smallest, weight)
        index += 1
    return smallest or 1


def _used(occupied: Sequence[Weighted], index: int, end: int) -> int:
    """The most sessions running at once before `end`, read from `occupied[index:]`."""
    most = 0
    while index < len(occupied) and occupied[index][0] < end:
        most = max(most, occupied[index][2])
        index += 1
    return most


def slots(
    windows: Sequence[Span],
    capacity: Sequence[Weighted],
    occupied: Sequence[Weighted],
    bounds: SlotBounds,
) -> list[Weighted]:
    """Bookable `(start, end, remaining)` triples, in order, from sorted windows."""
    out: list[Weighted] = []
    cap_at = used_at = 0
    duration, step, before, after = bounds.duration, bounds.step, bounds.before, bounds.after
    parallel = any(weight > 1 for _, _, weight in capacity)
    count = len(occupied)
    for window_start, window_end in windows:
        start = _first_start(window_start, bounds.earliest, step)
        last = min(window_end - duration, bounds.latest - 1)
        # Candidates only move forward, so both cursors do too: one pass over each list.
        while start <= last:
            end = start + duration
            while used_at < count and occupied[used_at][1] <= start - before:
                used_at += 1
            used = 0
            if used_at < count and occupied[used_at][0] < end + after:
                used = _used(occupied, used_at, end + after)
            sessions = 1
            if parallel:
                while cap_at + 1 < len(capacity) and capacity[cap_at][1] <= start:
                    cap_at += 1
                sessions = _sessions(capacity, cap_at, start, end)
            if used < sessions:
                out.append((start, end, sessions - used))
            start += step
    return out
