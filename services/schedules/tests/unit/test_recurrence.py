"""A recurring rule chooses dates; the entry's own times apply on each (RFC 5545, dateutil)."""

import time as time_module
from collections import Counter
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules.domain import AvailabilityException, DateRange, ScheduleRules, effective_windows
from schedules.domain.recurrence import (
    ONE_VALUE,
    Recurrence,
    RecurrenceError,
    canonical_rule,
    entry_dates,
    recurrence_dates,
)

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
FRIDAY = date(2026, 3, 6)
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def blocked_afternoons(rule: str, start: time = time(14), end: time = time(16)) -> list[date]:
    """The dates a timed recurring block takes time from, as the engine reads them."""
    entry = AvailabilityException("blocked", rrule=rule, dtstart=FRIDAY, start=start, end=end)
    opened = AvailabilityException("available", rrule="FREQ=DAILY", dtstart=FRIDAY)
    rules = ScheduleRules(zone=BERLIN, exceptions=(opened, entry))
    whole = effective_windows(rules, DateRange(FRIDAY, FRIDAY + timedelta(days=30)))
    # A blocked afternoon splits its date's one window in two.
    return sorted(day for day, n in Counter(w.local_date for w in whole).items() if n == 2)


def test_a_timed_exception_occurs_on_its_until_date() -> None:
    assert blocked_afternoons("FREQ=WEEKLY;BYDAY=FR;UNTIL=20260320") == [
        date(2026, 3, 6),
        date(2026, 3, 13),
        date(2026, 3, 20),
    ]


def test_an_until_time_before_the_entrys_start_still_counts_its_date() -> None:
    assert blocked_afternoons("FREQ=WEEKLY;BYDAY=FR;UNTIL=20260320T100000")[-1] == date(2026, 3, 20)


def test_time_parts_stored_before_they_were_refused_choose_each_date_once() -> None:
    entry = AvailabilityException(
        "blocked",
        rrule="FREQ=DAILY;BYHOUR=9,17;COUNT=3",
        dtstart=FRIDAY,
        start=time(12),
        end=time(13),
    )
    assert entry_dates(entry, FRIDAY, FRIDAY + timedelta(days=9)) == (
        date(2026, 3, 6),
        date(2026, 3, 7),
        date(2026, 3, 8),
    )


@given(
    days=st.sets(st.integers(0, 6), min_size=1),
    offset=st.integers(0, 60),
    length=st.integers(0, 400),
    start=st.integers(0, 95),
)
def test_a_weekly_rule_occurs_on_its_until_date_exactly_when_the_weekday_matches(
    days: set[int], offset: int, length: int, start: int
) -> None:
    dtstart = date(2026, 1, 1) + timedelta(days=offset)
    until = dtstart + timedelta(days=length)
    rule = f"FREQ=WEEKLY;BYDAY={','.join(DAYS[d] for d in sorted(days))};UNTIL={until:%Y%m%d}"
    begin = time(start // 4, start % 4 * 15)
    entry = AvailabilityException("blocked", rrule=rule, dtstart=dtstart, start=begin, end=time(0))
    found = entry_dates(entry, dtstart, until + timedelta(days=14))
    assert (until in found) == (until.weekday() in days)
    assert all(day <= until and day.weekday() in days for day in found)


def test_exdates_skip_and_rdates_add_dates_and_a_skipped_date_stays_skipped() -> None:
    weekly = Recurrence(
        "FREQ=WEEKLY;COUNT=3",
        FRIDAY,
        exdates=frozenset({date(2026, 3, 13), date(2026, 4, 1)}),
        rdates=frozenset({date(2026, 3, 9), date(2026, 4, 1)}),
    )
    assert recurrence_dates(weekly, FRIDAY, date(2026, 4, 30)) == (
        date(2026, 3, 6),
        date(2026, 3, 9),
        date(2026, 3, 20),
    )


@pytest.mark.parametrize(
    ("rule", "zones", "stored"),
    [
        (
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231",
            [BERLIN],
            "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231",
        ),
        ("RRULE:FREQ=WEEKLY;BYDAY=FR", [BERLIN], "FREQ=WEEKLY;BYDAY=FR"),
        ("FREQ=WEEKLY;UNTIL=20260320T100000", [BERLIN], "FREQ=WEEKLY;UNTIL=20260320"),
        # 03:59:59 UTC on the 21st is still the 20th in New York, already the 21st in Berlin.
        ("FREQ=WEEKLY;UNTIL=20260321T035959Z", [NEW_YORK], "FREQ=WEEKLY;UNTIL=20260320"),
        ("FREQ=WEEKLY;UNTIL=20260321T035959Z", [BERLIN], "FREQ=WEEKLY;UNTIL=20260321"),
        ("FREQ=WEEKLY;UNTIL=20260320T120000Z", [BERLIN, NEW_YORK], "FREQ=WEEKLY;UNTIL=20260320"),
    ],
)
def test_rules_are_stored_with_until_as_the_last_local_date(
    rule: str, zones: list[ZoneInfo], stored: str
) -> None:
    assert canonical_rule(rule, FRIDAY, zones) == stored


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ("FREQ=DAILY;BYHOUR=9", "rrule_chooses_times"),
        ("FREQ=WEEKLY;BYMINUTE=30;BYSECOND=0", "rrule_chooses_times"),
        ("FREQ=HOURLY", "unsupported_frequency"),
        ("FREQ=WEEKLY;BYDAY=XX", "invalid_rrule"),
        ("FREQ=WEEKLY;UNTIL=2026", "invalid_rrule"),
        ("FREQ=WEEKLY;BYDAY=MO;INTERVAL=0", "invalid_rrule"),  # dateutil would never return
        ("FREQ=DAILY;INTERVAL=-1", "invalid_rrule"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20270101", "invalid_rrule"),
        ("FREQ=WEEKLY;BYMONTHDAY=13", "invalid_rrule"),  # N/A in RFC 5545's table
        ("FREQ=MONTHLY;BYWEEKNO=20", "invalid_rrule"),
        ("FREQ=WEEKLY;UNTIL=20260101", "empty_rrule"),  # before dtstart
        ("FREQ=WEEKLY;UNTIL=20260321T035959Z", "ambiguous_until"),  # Berlin and New York
    ],
)
def test_rules_the_api_refuses_name_the_broken_rule(rule: str, code: str) -> None:
    with pytest.raises(RecurrenceError) as refused:
        canonical_rule(rule, FRIDAY, [BERLIN, NEW_YORK])
    assert refused.value.code == code


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;UNTIL=21991231",
        "FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=5",
    ],
)
def test_a_rule_that_never_occurs_is_refused_without_searching_to_year_9999(rule: str) -> None:
    began = time_module.perf_counter()
    with pytest.raises(RecurrenceError) as refused:
        canonical_rule(rule, FRIDAY, [BERLIN])
    assert refused.value.code == "empty_rrule"
    # dateutil alone took 1 to 24 s for these on a busy 2-core machine.
    assert time_module.perf_counter() - began < 5


def test_the_bounded_search_still_finds_rare_dates() -> None:
    leap_tuesday = "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=TU"  # next: 29 February 2028
    assert canonical_rule(leap_tuesday, FRIDAY, [BERLIN]) == leap_tuesday
    ending = "FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=20260331"
    assert canonical_rule(ending, FRIDAY, [BERLIN]) == ending  # 31 March, its only date
    with pytest.raises(RecurrenceError):
        canonical_rule("FREQ=MONTHLY;BYMONTHDAY=31;UNTIL=20260330", FRIDAY, [BERLIN])


@pytest.mark.parametrize(
    "rule",
    [
        "DTSTART:20260306\nRRULE:FREQ=WEEKLY",
        "DTSTART;VALUE=DATE:20260306;FREQ=WEEKLY",
        "FREQ=WEEKLY\nEXDATE:20260313",
        "FREQ=WEEKLY;RDATE=20260309",
        "FREQ=WEEKLY;BYDAY=MO\x00",
        "freq=weekly",
    ],
)
def test_anything_but_one_rrule_value_is_refused_saying_which_form_is_accepted(rule: str) -> None:
    with pytest.raises(RecurrenceError) as refused:
        canonical_rule(rule, FRIDAY, [BERLIN])
    assert (refused.value.code, refused.value.detail) == ("invalid_rrule", ONE_VALUE)
    assert "FREQ=WEEKLY;BYDAY=MO" in ONE_VALUE
    assert "exdates or rdates" in ONE_VALUE
