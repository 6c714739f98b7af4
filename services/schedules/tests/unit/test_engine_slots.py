"""Slots from windows: alignment, step, buffers, bookings, busy time, notice, horizon, capacity."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.domain import (
    AvailabilityException,
    BookedInterval,
    BusyInterval,
    DateRange,
    Leave,
    ScheduleRules,
    SlotQuery,
    UtcRange,
    WeeklyInterval,
    available_slots,
)

TAIPEI = ZoneInfo("Asia/Taipei")
MONDAY = date(2026, 6, 1)
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
MIN = timedelta(minutes=1)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), TAIPEI)


def starts(rules: ScheduleRules, query: SlotQuery) -> list[str]:
    return [f"{s.start.astimezone(TAIPEI):%H:%M}" for s in available_slots(rules, query)]


def query(minutes: int = 60, day: date = MONDAY, **fields: object) -> SlotQuery:
    fields.setdefault("now", LONG_AGO)
    return SlotQuery(timedelta(minutes=minutes), DateRange(day, day), **fields)  # type: ignore[arg-type]


def morning(**layers: object) -> ScheduleRules:
    weekly = (WeeklyInterval(0, time(9), time(12)),)
    return ScheduleRules(zone=TAIPEI, weekly=weekly, **layers)  # type: ignore[arg-type]


def test_seed_001_worked_example_offers_nine_and_eleven() -> None:
    wednesday = date(2025, 1, 15)
    weekly = (
        WeeklyInterval(2, time(9), time(12)),
        WeeklyInterval(2, time(14), time(18)),
    )
    unavailable = tuple(
        AvailabilityException("blocked", on=wednesday, start=time(a), end=time(b))
        for a, b in ((14, 18), (17, 18), (18, 19), (19, 20))
    )
    booked = (BookedInterval(local(wednesday, 10), local(wednesday, 11)),)
    rules = ScheduleRules(zone=TAIPEI, weekly=weekly, exceptions=unavailable, booked=booked)
    slots = available_slots(rules, query(60, wednesday))
    assert [
        (f"{s.start.astimezone(TAIPEI):%H:%M}", f"{s.end.astimezone(TAIPEI):%H:%M}") for s in slots
    ] == [
        ("09:00", "10:00"),
        ("11:00", "12:00"),
    ]


def test_the_step_defaults_to_the_duration_and_slots_fit_inside_the_window() -> None:
    assert starts(morning(), query(50)) == ["09:00", "09:50", "10:40"]
    assert starts(morning(), query(50, step=timedelta(minutes=30))) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
    ]


def test_starts_align_to_the_window_start_left_by_a_leave() -> None:
    leave = Leave(local(MONDAY, 8), local(MONDAY, 9, 20))
    assert starts(morning(leaves=(leave,)), query(30)) == [
        "09:20",
        "09:50",
        "10:20",
        "10:50",
        "11:20",
    ]


def test_buffers_of_the_type_and_of_each_booking_keep_slots_apart() -> None:
    booked = BookedInterval(local(MONDAY, 10), local(MONDAY, 10, 30), buffer_after=15 * MIN)
    rules = morning(booked=(booked,))
    assert starts(rules, query(30)) == ["09:00", "09:30", "11:00", "11:30"]
    assert starts(rules, query(30, buffer_before=20 * MIN)) == ["09:00", "09:30", "11:30"]
    assert starts(rules, query(30, buffer_after=5 * MIN)) == ["09:00", "11:00", "11:30"]


def test_a_booking_widened_by_its_buffer_before_removes_the_slot_ahead_of_it() -> None:
    booked = BookedInterval(local(MONDAY, 11), local(MONDAY, 12), buffer_before=MIN)
    assert starts(morning(booked=(booked,)), query(60)) == ["09:00"]


def test_an_expired_hold_blocks_nothing_and_a_live_one_does() -> None:
    now = local(MONDAY, 7)
    expired = BookedInterval(local(MONDAY, 9), local(MONDAY, 10), expires_at=now - MIN)
    live = BookedInterval(local(MONDAY, 10), local(MONDAY, 11), expires_at=now + MIN)
    assert starts(morning(booked=(expired, live)), query(now=now)) == ["09:00", "11:00"]


def test_external_busy_time_removes_slots_it_overlaps() -> None:
    busy = BusyInterval(local(MONDAY, 10, 59), local(MONDAY, 11, 1))
    assert starts(morning(busy=(busy,)), query()) == ["09:00"]


def test_minimum_notice_drops_slots_starting_too_soon() -> None:
    now = local(MONDAY, 8, 10)
    assert starts(morning(), query(now=now, min_notice=timedelta(hours=2))) == ["11:00"]
    assert starts(morning(), query(now=now, min_notice=timedelta(minutes=50))) == [
        "09:00",
        "10:00",
        "11:00",
    ]


def test_slots_already_begun_are_never_offered() -> None:
    assert starts(morning(), query(now=local(MONDAY, 9, 1))) == ["10:00", "11:00"]


def test_a_slot_begun_less_than_a_second_ago_is_not_offered() -> None:
    now = local(MONDAY, 9) + timedelta(milliseconds=300)
    assert starts(morning(), query(now=now)) == ["10:00", "11:00"]
    # Notice counts from the same instant: 10:00 is 0.3 s short of an hour away.
    assert starts(morning(), query(now=now, min_notice=timedelta(hours=1))) == ["11:00"]


def test_maximum_days_ahead_reaches_the_end_of_that_local_day() -> None:
    now = local(MONDAY - timedelta(days=7), 23, 59)
    window = DateRange(MONDAY - timedelta(days=7), MONDAY + timedelta(days=7))
    q = SlotQuery(timedelta(hours=1), window, now=now, max_future_days=7)
    offered = available_slots(morning(), q)
    assert {s.start.astimezone(TAIPEI).date() for s in offered} == {MONDAY}
    q = SlotQuery(timedelta(hours=1), window, now=now, max_future_days=6)
    assert available_slots(morning(), q) == []


def test_capacity_two_offers_a_slot_until_two_sessions_overlap_it() -> None:
    weekly = (WeeklyInterval(0, time(9), time(11), max_parallel_sessions=2),)
    one = BookedInterval(local(MONDAY, 9), local(MONDAY, 10))
    rules = ScheduleRules(zone=TAIPEI, weekly=weekly, booked=(one,))
    assert [
        (f"{s.start.astimezone(TAIPEI):%H}", s.remaining) for s in available_slots(rules, query())
    ] == [
        ("09", 1),
        ("10", 2),
    ]
    rules = ScheduleRules(zone=TAIPEI, weekly=weekly, booked=(one, one))
    assert starts(rules, query()) == ["10:00"]


def test_capacity_counts_sessions_running_at_once_not_bookings_touched() -> None:
    weekly = (WeeklyInterval(0, time(9), time(12), max_parallel_sessions=2),)
    back_to_back = (
        BookedInterval(local(MONDAY, 9), local(MONDAY, 10)),
        BookedInterval(local(MONDAY, 10), local(MONDAY, 11)),
    )
    rules = ScheduleRules(zone=TAIPEI, weekly=weekly, booked=back_to_back)
    assert starts(rules, query(60, step=timedelta(minutes=30))) == [
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "11:00",
    ]


def test_busy_time_blocks_even_where_the_template_allows_parallel_sessions() -> None:
    weekly = (WeeklyInterval(0, time(9), time(11), max_parallel_sessions=3),)
    busy = (BusyInterval(local(MONDAY, 9), local(MONDAY, 10)),)
    assert starts(ScheduleRules(zone=TAIPEI, weekly=weekly, busy=busy), query()) == ["10:00"]


def test_a_utc_range_keeps_slots_starting_inside_it_with_whole_day_alignment() -> None:
    window = UtcRange(local(MONDAY, 9, 45), local(MONDAY, 11))
    q = SlotQuery(timedelta(minutes=30), window, now=LONG_AGO)
    assert starts(morning(), q) == ["10:00", "10:30"]


def test_an_empty_schedule_offers_nothing() -> None:
    assert available_slots(ScheduleRules(zone=TAIPEI), query()) == []
