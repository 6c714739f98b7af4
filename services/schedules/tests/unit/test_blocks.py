"""A recurring forced block: its first time repeated at the same local times on each chosen date."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.domain import DateRange, ScheduleRules, WeeklyInterval, effective_windows
from schedules.domain.blocks import RecurringBlock, occurrences

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 3, 23)  # Berlin moves to summer time on Sunday 29 March


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BERLIN)


def utc(block: RecurringBlock, low: datetime, high: datetime) -> list[tuple[str, str]]:
    return [
        (f"{b.start:%m-%d %H:%M}", f"{b.end:%m-%d %H:%M}") for b in occurrences(block, low, high)
    ]


def test_a_weekly_block_keeps_its_local_times_across_the_dst_change() -> None:
    meeting = RecurringBlock(local(MONDAY, 9), local(MONDAY, 10), BERLIN, "FREQ=WEEKLY;BYDAY=MO")
    assert utc(meeting, local(MONDAY, 0), local(MONDAY + timedelta(days=14), 0)) == [
        ("03-23 08:00", "03-23 09:00"),
        ("03-30 07:00", "03-30 08:00"),
    ]


def test_skipped_and_added_dates_move_the_block() -> None:
    meeting = RecurringBlock(
        local(MONDAY, 9),
        local(MONDAY, 10),
        BERLIN,
        "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
        exdates=frozenset({MONDAY + timedelta(days=7)}),
        rdates=frozenset({MONDAY + timedelta(days=8)}),
    )
    found = occurrences(meeting, local(MONDAY, 0), local(MONDAY + timedelta(days=30), 0))
    assert [b.start.astimezone(BERLIN).date() for b in found] == [
        MONDAY,
        MONDAY + timedelta(days=8),
        MONDAY + timedelta(days=14),
    ]


def test_a_time_begun_before_the_window_still_reaches_into_it() -> None:
    weekend = RecurringBlock(
        local(MONDAY - timedelta(days=3), 18), local(MONDAY, 8), BERLIN, "FREQ=WEEKLY;BYDAY=FR"
    )
    sunday = MONDAY + timedelta(days=6)
    [(start, end)] = utc(weekend, local(sunday, 12), local(sunday, 13))
    # Friday 18:00 CET to Monday 08:00 CEST: one run of real time, 61 hours.
    assert (start, end) == ("03-27 17:00", "03-30 06:00")


def test_the_engine_removes_each_time_the_loader_expands() -> None:
    meeting = RecurringBlock(local(MONDAY, 9), local(MONDAY, 10), BERLIN, "FREQ=WEEKLY")
    later = MONDAY + timedelta(days=7)
    blocks = tuple(occurrences(meeting, local(later, 0), local(later + timedelta(days=1), 0)))
    rules = ScheduleRules(
        zone=BERLIN, weekly=(WeeklyInterval(0, time(8), time(12)),), blocks=blocks
    )
    [first, second] = effective_windows(rules, DateRange(later, later))
    assert (first.end, second.start) == (local(later, 9), local(later, 10))
    assert first.start.tzinfo == UTC
