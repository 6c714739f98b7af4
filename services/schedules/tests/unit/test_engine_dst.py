"""The engine on DST days: real elapsed time; a skipped hour offers nothing, a repeated one once."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from schedules.domain import (
    AvailabilityException,
    DateRange,
    ScheduleRules,
    SlotQuery,
    WeeklyInterval,
    available_slots,
    effective_windows,
)
from schedules.domain.local_time import local_span, to_seconds

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def rules_on(zone: ZoneInfo, day: date, start: time, end: time) -> ScheduleRules:
    return ScheduleRules(zone=zone, weekly=(WeeklyInterval(day.weekday(), start, end),))


def slot_starts(rules: ScheduleRules, day: date, minutes: int) -> list[datetime]:
    query = SlotQuery(timedelta(minutes=minutes), DateRange(day, day), now=LONG_AGO)
    return [slot.start for slot in available_slots(rules, query)]


def hours(windows: list[tuple[datetime, datetime]]) -> float:
    return sum((end - start).total_seconds() for start, end in windows) / 3600


def test_new_york_spring_gap_makes_one_to_four_two_real_hours() -> None:
    rules = rules_on(NEW_YORK, date(2026, 3, 8), time(1), time(4))
    windows = effective_windows(rules, DateRange(date(2026, 3, 8), date(2026, 3, 8)))
    assert [(w.start, w.end) for w in windows] == [
        (utc("2026-03-08T06:00"), utc("2026-03-08T08:00"))
    ]


def test_new_york_spring_half_hour_slots_jump_from_one_thirty_to_three() -> None:
    starts = slot_starts(
        rules_on(NEW_YORK, date(2026, 3, 8), time(1), time(4)), date(2026, 3, 8), 30
    )
    local = [start.astimezone(NEW_YORK).strftime("%H:%M") for start in starts]
    assert local == ["01:00", "01:30", "03:00", "03:30"]
    assert starts[2] - starts[1] == timedelta(minutes=30)


def test_a_rule_inside_the_skipped_hour_offers_nothing() -> None:
    rules = rules_on(NEW_YORK, date(2026, 3, 8), time(2, 15), time(2, 45))
    assert slot_starts(rules, date(2026, 3, 8), 15) == []


def test_new_york_autumn_repeat_makes_midnight_to_three_four_real_hours() -> None:
    rules = rules_on(NEW_YORK, date(2026, 11, 1), time(0), time(3))
    windows = effective_windows(rules, DateRange(date(2026, 11, 1), date(2026, 11, 1)))
    assert [(w.start, w.end) for w in windows] == [
        (utc("2026-11-01T04:00"), utc("2026-11-01T08:00"))
    ]
    assert hours([(w.start, w.end) for w in windows]) == 4


def test_new_york_autumn_offers_every_instant_of_the_repeated_hour_once() -> None:
    starts = slot_starts(
        rules_on(NEW_YORK, date(2026, 11, 1), time(0), time(3)), date(2026, 11, 1), 30
    )
    assert len(starts) == len(set(starts)) == 8
    assert starts == [utc("2026-11-01T04:00") + timedelta(minutes=30 * n) for n in range(8)]
    one_am = [s for s in starts if s.astimezone(NEW_YORK).hour == 1]
    assert [s.astimezone(NEW_YORK).fold for s in one_am] == [0, 0, 1, 1]


def test_a_rule_within_the_repeated_hour_covers_both_occurrences_and_nothing_between() -> None:
    spans = local_span(date(2026, 11, 1), time(1), time(1, 30), NEW_YORK)
    assert spans == (
        (to_seconds(utc("2026-11-01T05:00")), to_seconds(utc("2026-11-01T05:30"))),
        (to_seconds(utc("2026-11-01T06:00")), to_seconds(utc("2026-11-01T06:30"))),
    )


def test_an_all_day_exception_on_a_dst_day_lasts_the_real_length_of_the_day() -> None:
    for day, length in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 7, 1), 24)):
        rules = ScheduleRules(
            zone=NEW_YORK, exceptions=(AvailabilityException("available", on=day),)
        )
        windows = effective_windows(rules, DateRange(day, day))
        assert hours([(w.start, w.end) for w in windows]) == length


def test_london_last_sunday_of_march_skips_one_to_two() -> None:
    day = date(2026, 3, 29)
    starts = slot_starts(rules_on(LONDON, day, time(0), time(4)), day, 60)
    assert [s.astimezone(LONDON).strftime("%H:%M") for s in starts] == ["00:00", "02:00", "03:00"]
    assert starts == [utc("2026-03-29T00:00"), utc("2026-03-29T01:00"), utc("2026-03-29T02:00")]


def test_london_last_sunday_of_october_repeats_one_to_two() -> None:
    day = date(2026, 10, 25)
    starts = slot_starts(rules_on(LONDON, day, time(0, 30), time(2, 30)), day, 30)
    assert starts == [utc("2026-10-24T23:30") + timedelta(minutes=30 * n) for n in range(6)]
    assert len(set(starts)) == 6


def test_windows_never_cross_local_midnight_even_when_days_touch() -> None:
    zone = NEW_YORK
    weekly = tuple(WeeklyInterval(d, time(0), time(0)) for d in range(7))
    rules = ScheduleRules(zone=zone, weekly=weekly)
    windows = effective_windows(rules, DateRange(date(2026, 11, 1), date(2026, 11, 2)))
    assert [w.local_date for w in windows] == [date(2026, 11, 1), date(2026, 11, 2)]
    assert windows[0].end == windows[1].start
    query = SlotQuery(timedelta(hours=7), DateRange(date(2026, 11, 1), date(2026, 11, 2)), LONG_AGO)
    # 25 h fit three 7 h slots, 24 h fit three; none spans midnight.
    assert len(available_slots(rules, query)) == 6
