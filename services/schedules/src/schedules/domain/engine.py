"""The availability engine's public entry: pure functions from rules and a query to answers."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from schedules.domain.local_time import (
    ceil_seconds,
    day_start,
    local_date,
    to_instant,
    to_seconds,
)
from schedules.domain.model import ScheduleRules
from schedules.domain.query import DateRange, Slot, SlotQuery, UtcRange, Window
from schedules.domain.rules import effective
from schedules.domain.slots import SlotBounds, occupancy, slots


def _bounds(rules: ScheduleRules, window: DateRange | UtcRange) -> tuple[date, date, int, int]:
    """The local dates a window touches and the UTC range slot starts must lie in."""
    zone = rules.zone
    if isinstance(window, DateRange):
        after_last = window.last + timedelta(days=1)
        return window.first, window.last, day_start(window.first, zone), day_start(after_last, zone)
    low, high = to_seconds(window.start), to_seconds(window.end)
    return local_date(low, zone), local_date(high - 1, zone), low, high


def effective_windows(
    rules: ScheduleRules, window: DateRange | UtcRange, appointment_type_id: UUID | None = None
) -> list[Window]:
    """Windows of effective availability on every local date the window touches, whole."""
    first, last, _, _ = _bounds(rules, window)
    if last < first:
        return []
    found = effective(rules, first, last, appointment_type_id)
    return [
        Window(to_instant(start), to_instant(end), local_date(start, rules.zone))
        for start, end in found.windows
    ]


def available_slots(rules: ScheduleRules, query: SlotQuery) -> list[Slot]:
    """Bookable slots of the query's appointment type, in order, as UTC instants."""
    zone = rules.zone
    first, last, low, high = _bounds(rules, query.window)
    if last < first:
        return []
    now = ceil_seconds(query.now)  # everything `now` bounds (notice, horizon) rounds up
    if query.max_future_days is not None:
        horizon = local_date(now, zone) + timedelta(days=query.max_future_days + 1)
        high = min(high, day_start(horizon, zone))
    bounds = SlotBounds(
        duration=_seconds(query.duration),
        step=_seconds(query.step or query.duration),
        before=_seconds(query.buffer_before),
        after=_seconds(query.buffer_after),
        earliest=max(low, now + _seconds(query.min_notice)),
        latest=high,
    )
    found = effective(rules, first, last, query.appointment_type_id)
    # Only occupations a candidate's buffered span can reach matter to this query.
    reach = (bounds.earliest - bounds.before, bounds.latest + bounds.duration + bounds.after)
    occupied = occupancy(rules, query.now, *reach)
    triples = slots(found.windows, found.capacity, occupied, bounds)
    duration = query.duration
    return [Slot(begin := to_instant(start), begin + duration, left) for start, _, left in triples]


def _seconds(span: timedelta) -> int:
    return int(span.total_seconds())
