"""Invariants of the engine on random rules and bookings around DST days (hypothesis)."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.domain import (
    AvailabilityException,
    BookedInterval,
    BusyInterval,
    ClinicHours,
    ClinicInterval,
    DateRange,
    ForcedBlock,
    Holiday,
    Leave,
    ScheduleRules,
    Slot,
    SlotQuery,
    UtcRange,
    WeeklyInterval,
    available_slots,
    effective_windows,
)

ZONES = [
    ZoneInfo(k) for k in ("America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Taipei")
]
FIRST_DAYS = [
    date(2026, 3, 6),
    date(2026, 3, 27),
    date(2026, 10, 2),
    date(2026, 10, 30),
    date(2026, 6, 1),
]
TYPE = UUID(int=1)
QUARTER = timedelta(minutes=15)
MIN = timedelta(minutes=1)


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def wall(quarters: int) -> time:
    return time(0) if quarters >= 96 else time(quarters // 4, quarters % 4 * 15)


@st.composite
def local_interval(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(st.integers(0, 94))
    return wall(start), wall(draw(st.integers(start + 1, min(start + 40, 96))))


@st.composite
def scenario(draw: st.DrawFn) -> tuple[ScheduleRules, date, date]:
    zone, first = draw(st.sampled_from(ZONES)), draw(st.sampled_from(FIRST_DAYS))
    last = first + timedelta(days=draw(st.integers(0, 4)))
    days = st.integers(0, (last - first).days).map(lambda n: first + timedelta(days=n))
    origin = datetime.combine(first, time(0), zone).astimezone(UTC) - timedelta(hours=6)
    span = (last - first).days * 96 + 120

    def instants() -> st.SearchStrategy[tuple[datetime, datetime]]:
        return st.tuples(st.integers(0, span), st.integers(1, 48)).map(
            lambda p: (origin + p[0] * QUARTER, origin + (p[0] + p[1]) * QUARTER)
        )

    weekly = tuple(
        WeeklyInterval(
            draw(days).weekday(), *draw(local_interval()), draw(st.sampled_from([1, 1, 2]))
        )
        for _ in range(draw(st.integers(1, 8)))
    )

    def near_work() -> st.SearchStrategy[tuple[datetime, datetime]]:
        # Bookings where the work is, so buffers and capacity are exercised, not just night time.
        anchors = [
            datetime.combine(d, w.start, zone).astimezone(UTC)
            for d in days_of(first, last)
            for w in weekly
            if w.weekday == d.weekday()
        ] or [origin]
        return st.tuples(st.sampled_from(anchors), st.integers(-4, 16), st.integers(1, 8)).map(
            lambda p: (p[0] + p[1] * QUARTER, p[0] + (p[1] + p[2]) * QUARTER)
        )

    exceptions = []
    for _ in range(draw(st.integers(0, 5))):
        times = draw(st.none() | local_interval())
        start, end = times if times else (None, None)
        kind: Literal["blocked", "available"] = draw(st.sampled_from(["blocked", "available"]))
        type_id = draw(st.sampled_from([None, None, TYPE, UUID(int=2)]))
        if draw(st.booleans()):
            exceptions.append(
                AvailabilityException(
                    kind, on=draw(days), start=start, end=end, appointment_type_id=type_id
                )
            )
        else:
            rule = f"FREQ=DAILY;INTERVAL={draw(st.integers(1, 3))}"
            exceptions.append(
                AvailabilityException(
                    kind,
                    rrule=rule,
                    dtstart=draw(days),
                    start=start,
                    end=end,
                    appointment_type_id=type_id,
                )
            )
    clinic = None
    if draw(st.integers(0, 2)) == 0:
        clinic = ClinicHours(
            weekly=tuple(
                ClinicInterval(draw(days).weekday(), *draw(local_interval()))
                for _ in range(draw(st.integers(1, 10)))
            ),
            closed=frozenset(draw(st.lists(days, max_size=1))),
        )
    now = origin + draw(st.integers(-200, span)) * QUARTER
    rules = ScheduleRules(
        zone=zone,
        weekly=weekly,
        clinic_hours=clinic,
        exceptions=tuple(exceptions),
        leaves=tuple(
            Leave(*draw(instants()), approved=draw(st.booleans()))
            for _ in range(draw(st.integers(0, 2)))
        ),
        holidays=tuple(Holiday(d) for d in draw(st.lists(days, max_size=1))),
        blocks=tuple(
            ForcedBlock(*draw(instants()), draw(st.sampled_from(["forced", "emergency"])))
            for _ in range(draw(st.integers(0, 2)))
        ),
        booked=tuple(
            BookedInterval(
                *draw(instants() | near_work() | near_work()),
                draw(st.integers(0, 3)) * 5 * MIN,
                draw(st.integers(0, 3)) * 5 * MIN,
                draw(st.none() | st.just(now + draw(st.integers(-4, 4)) * QUARTER)),
            )
            for _ in range(draw(st.integers(0, 8)))
        ),
        busy=tuple(BusyInterval(*draw(instants())) for _ in range(draw(st.integers(0, 3)))),
    )
    return rules, first, last


@st.composite
def slot_query(draw: st.DrawFn, rules: ScheduleRules, first: date, last: date) -> SlotQuery:
    duration = draw(st.integers(1, 24)) * 5 * MIN
    return SlotQuery(
        duration=duration,
        window=DateRange(first, last),
        now=draw(
            st.just(first_instant(rules, first))
            | st.sampled_from([b.start for b in rules.booked] or [first_instant(rules, first)])
        ),
        step=draw(st.none() | st.integers(1, 12).map(lambda n: n * 5 * MIN)),
        buffer_before=draw(st.integers(0, 4)) * 5 * MIN,
        buffer_after=draw(st.integers(0, 4)) * 5 * MIN,
        min_notice=draw(st.integers(0, 48)) * QUARTER,
        max_future_days=draw(st.none() | st.integers(0, 6)),
        appointment_type_id=draw(st.sampled_from([None, TYPE])),
    )


def first_instant(rules: ScheduleRules, first: date) -> datetime:
    return datetime.combine(first, time(0), rules.zone).astimezone(UTC) - timedelta(hours=30)


def oracle_available(rules: ScheduleRules, instant: datetime, type_id: UUID | None) -> bool:
    """The design's rules read naively, one instant at a time, through `astimezone`."""
    local = instant.astimezone(rules.zone)
    day, at = local.date(), local.time().replace(tzinfo=None)

    def covers(start: time | None, end: time | None) -> bool:
        return start is None or end is None or (start <= at and (end == time(0) or at < end))

    def on(entry: AvailabilityException) -> bool:
        if entry.appointment_type_id not in (None, type_id):
            return False
        if entry.on is not None:
            return entry.on == day
        assert entry.dtstart is not None
        assert entry.rrule is not None
        every = int(entry.rrule.rsplit("=", 1)[1])
        return day >= entry.dtstart and (day - entry.dtstart).days % every == 0

    if day in {h.on for h in rules.holidays} or any(
        b.start <= instant < b.end for b in rules.blocks
    ):
        return False
    if any(v.approved and v.start <= instant < v.end for v in rules.leaves):
        return False
    hours = rules.clinic_hours
    if hours is not None and (
        day in hours.closed
        or not any(c.weekday == day.weekday() and covers(c.start, c.end) for c in hours.weekly)
    ):
        return False
    exceptions = [e for e in rules.exceptions if on(e) and covers(e.start, e.end)]
    if any(e.kind == "blocked" for e in exceptions):
        return False
    template = any(w.weekday == day.weekday() and covers(w.start, w.end) for w in rules.weekly)
    return template or bool(exceptions)


def peak_booked(rules: ScheduleRules, now: datetime, start: datetime, end: datetime) -> int:
    live = [
        (b.start - b.buffer_before, b.end + b.buffer_after)
        for b in rules.booked
        if b.expires_at is None or b.expires_at > now
    ]
    probes = [start, *(s for s, _ in live if start < s < end)]
    return max((sum(s <= p < e for s, e in live) for p in probes), default=0)


@settings(max_examples=250, deadline=None)
@given(st.data())
def test_slots_respect_every_rule_and_booking(data: st.DataObject) -> None:
    rules, first, last = data.draw(scenario())
    query = data.draw(slot_query(rules, first, last))
    slots = available_slots(rules, query)
    windows = effective_windows(rules, query.window, query.appointment_type_id)
    capacity = max((w.max_parallel_sessions for w in rules.weekly), default=1)
    assert [s.start for s in slots] == sorted({s.start for s in slots})
    zone = rules.zone
    for slot in slots:
        assert slot.end - slot.start == query.duration
        assert any(w.start <= slot.start and slot.end <= w.end for w in windows)
        assert slot.start.astimezone(zone).date() == (slot.end - MIN).astimezone(zone).date()
        probe = slot.start
        while probe < slot.end:
            assert oracle_available(rules, probe, query.appointment_type_id)
            probe += 5 * MIN
        low, high = slot.start - query.buffer_before, slot.end + query.buffer_after
        assert not any(b.start < high and low < b.end for b in rules.busy)
        assert peak_booked(rules, query.now, low, high) < capacity
        assert slot.start >= query.now + query.min_notice
        if query.max_future_days is not None:
            today = query.now.astimezone(zone).date()
            assert slot.start.astimezone(zone).date() <= today + timedelta(
                days=query.max_future_days
            )


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_effective_windows_match_the_rules_read_instant_by_instant(data: st.DataObject) -> None:
    rules, first, last = data.draw(scenario())
    type_id = data.draw(st.sampled_from([None, TYPE]))
    windows = effective_windows(rules, DateRange(first, last), type_id)
    probe = first_instant(rules, first) + timedelta(hours=30, minutes=7)
    stop = datetime.combine(last + timedelta(days=1), time(0), rules.zone).astimezone(UTC)
    while probe < stop:
        inside = any(w.start <= probe < w.end for w in windows)
        assert inside == oracle_available(rules, probe, type_id), probe
        probe += QUARTER
    for earlier, later in itertools.pairwise(windows):
        assert earlier.end < later.start or earlier.local_date < later.local_date


def _by_start(slots: list[Slot]) -> list[tuple[datetime, datetime, int]]:
    return [(s.start, s.end, s.remaining) for s in slots]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_splitting_the_query_window_gives_the_same_slots_as_the_whole(data: st.DataObject) -> None:
    rules, first, last = data.draw(scenario())
    whole = data.draw(slot_query(rules, first, last))
    split = first + timedelta(days=data.draw(st.integers(0, (last - first).days)))
    parts = [
        SlotQuery(
            whole.duration,
            window,
            whole.now,
            whole.step,
            whole.buffer_before,
            whole.buffer_after,
            whole.min_notice,
            whole.max_future_days,
            whole.appointment_type_id,
        )
        for window in (DateRange(first, split - timedelta(days=1)), DateRange(split, last))
    ]
    expected = _by_start(available_slots(rules, whole))
    assert (
        _by_start(available_slots(rules, parts[0]) + available_slots(rules, parts[1])) == expected
    )
    # The same holds for UTC ranges cut at any instant, even mid-window.
    low = datetime.combine(first, time(0), rules.zone).astimezone(UTC)
    high = datetime.combine(last + timedelta(days=1), time(0), rules.zone).astimezone(UTC)
    cut = low + data.draw(st.integers(1, int((high - low) / MIN) - 1)) * MIN
    halves = [
        SlotQuery(
            whole.duration,
            window,
            whole.now,
            whole.step,
            whole.buffer_before,
            whole.buffer_after,
            whole.min_notice,
            whole.max_future_days,
            whole.appointment_type_id,
        )
        for window in (UtcRange(low, cut), UtcRange(cut, high))
    ]
    assert (
        _by_start(available_slots(rules, halves[0]) + available_slots(rules, halves[1])) == expected
    )
