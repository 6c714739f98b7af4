"""Whether one interval is bookable, which rule decided, and every reason it is not.

It reads the same layers as the engine (`rules.effective`), per local date the interval touches,
so a reason exists exactly when the engine offers no window holding the interval. Occupancy
(bookings and external busy time) counts only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from schedules.domain.intervals import Span, depth_profile, merge
from schedules.domain.local_time import local_date, local_span, to_seconds, whole_day
from schedules.domain.model import ClinicHours, ScheduleRules, check_instants
from schedules.domain.recurrence import entry_dates
from schedules.domain.rules import closed_dates, days_between, effective

# Highest priority first: the first that applies is the deciding rule of a refusal.
PRIORITY = (
    "forced_block",
    "emergency",
    "leave",
    "holiday",
    "clinic_closed",
    "outside_clinic_hours",
    "exception_blocked",
    "outside_weekly_schedule",
    "booked",
    "external_busy",
)


@dataclass(frozen=True, slots=True)
class CheckQuery:
    """Is `[start, end)` bookable? Occupancy is judged as of `now`, widened by the buffers."""

    start: datetime
    end: datetime
    appointment_type_id: UUID | None = None
    include_occupancy: bool = False
    now: datetime | None = None
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        check_instants(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer: bookable or not, the deciding rule, and all reasons that apply."""

    bookable: bool
    rule: str
    reasons: tuple[str, ...]


def _inside(low: int, high: int, spans: list[Span]) -> bool:
    """Whether `[low, high)` lies inside one of the merged `spans`."""
    return any(start <= low and high <= end for start, end in spans)


def _overlaps(low: int, high: int, spans: list[Span]) -> bool:
    return any(start < high and low < end for start, end in spans)


def _clinic_reason(rules: ScheduleRules, hours: ClinicHours, day: date, piece: Span) -> str | None:
    if day in hours.closed:
        return "clinic_closed"
    local = [(o.start, o.end) for o in hours.overrides if o.on == day] or [
        (w.start, w.end) for w in hours.weekly if w.weekday == day.weekday()
    ]
    spans = merge(s for start, end in local for s in local_span(day, start, end, rules.zone))
    if not spans:
        return "clinic_closed"
    return None if _inside(*piece, spans) else "outside_clinic_hours"


class _Day:
    """The template and exception spans of one local date, as the engine builds them."""

    def __init__(self, rules: ScheduleRules, day: date, type_id: UUID | None) -> None:
        here = (None, rules.location_id)
        weekly: list[Span] = []
        for interval in rules.weekly:
            if interval.location_id not in here or interval.weekday != day.weekday():
                continue
            if interval.valid_on(day):
                weekly.extend(local_span(day, interval.start, interval.end, rules.zone))
        self.weekly = merge(weekly)
        available: list[Span] = []
        self.blocked: list[Span] = []
        for entry in rules.exceptions:
            if entry.appointment_type_id not in (None, type_id) or entry.location_id not in here:
                continue
            if not entry_dates(entry, day, day):
                continue
            if entry.start is None or entry.end is None:
                spans: tuple[Span, ...] = (whole_day(day, rules.zone),)
            else:
                spans = local_span(day, entry.start, entry.end, rules.zone)
            (self.blocked if entry.kind == "blocked" else available).extend(spans)
        self.offered = merge([*weekly, *available])


def _rule_reasons(rules: ScheduleRules, query: CheckQuery) -> tuple[set[str], str]:
    """Reasons from the rules alone, and the rule that offers the time when there are none."""
    low, high = to_seconds(query.start), to_seconds(query.end)
    found: set[str] = set()
    for block in rules.blocks:
        if to_seconds(block.start) < high and low < to_seconds(block.end):
            found.add("forced_block" if block.kind == "forced" else "emergency")
    leaves = (v for v in rules.leaves if v.approved)
    if any(to_seconds(v.start) < high and low < to_seconds(v.end) for v in leaves):
        found.add("leave")
    first, last = local_date(low, rules.zone), local_date(high - 1, rules.zone)
    holidays = closed_dates(rules, first, last)
    offered_by = ""
    for day in days_between(first, last):
        day_low, day_high = whole_day(day, rules.zone)
        piece = (max(low, day_low), min(high, day_high))
        if day in holidays:
            found.add("holiday")
        if rules.clinic_hours is not None:
            reason = _clinic_reason(rules, rules.clinic_hours, day, piece)
            if reason is not None:
                found.add(reason)
        layers = _Day(rules, day, query.appointment_type_id)
        if _overlaps(*piece, layers.blocked):
            found.add("exception_blocked")
        # No window crosses local midnight, so the whole interval must lie within one date.
        if _inside(low, high, layers.offered):
            weekly = _inside(low, high, layers.weekly)
            offered_by = "weekly_schedule" if weekly else "exception_available"
    if not offered_by:
        found.add("outside_weekly_schedule")
    return found, offered_by


def _occupancy_reasons(rules: ScheduleRules, query: CheckQuery) -> set[str]:
    """`booked` when live bookings fill the interval's capacity; `external_busy` on any overlap."""
    begin, finish = to_seconds(query.start), to_seconds(query.end)
    # The candidate's buffers widen it, as the engine widens a slot.
    low = begin - int(query.buffer_before.total_seconds())
    high = finish + int(query.buffer_after.total_seconds())
    now = query.now or query.start
    found: set[str] = set()
    if any(to_seconds(b.start) < high and low < to_seconds(b.end) for b in rules.busy):
        found.add("external_busy")
    live = [
        (_seconds(b.start, -b.buffer_before), _seconds(b.end, b.buffer_after), 1)
        for b in rules.booked
        if b.expires_at is None or b.expires_at > now
    ]
    depths = [depth for start, end, depth in depth_profile(live) if start < high and low < end]
    if not depths:
        return found
    first, last = local_date(begin, rules.zone), local_date(finish - 1, rules.zone)
    capacity = effective(rules, first, last, query.appointment_type_id).capacity
    sessions = min((w for s, e, w in capacity if s < finish and begin < e), default=1)
    if max(depths) >= sessions:
        found.add("booked")
    return found


def _seconds(instant: datetime, shift: timedelta) -> int:
    return to_seconds(instant) + int(shift.total_seconds())


def check_interval(rules: ScheduleRules, query: CheckQuery) -> Verdict:
    """The verdict on the query's interval under the rules (and occupancy when asked)."""
    reasons, offered_by = _rule_reasons(rules, query)
    if query.include_occupancy:
        reasons |= _occupancy_reasons(rules, query)
    ordered = tuple(reason for reason in PRIORITY if reason in reasons)
    if ordered:
        return Verdict(False, ordered[0], ordered)
    return Verdict(True, offered_by, ())
