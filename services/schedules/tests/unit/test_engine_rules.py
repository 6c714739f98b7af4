"""The priority layers: forced block > emergency > leave > holiday > exception > weekly template."""

from datetime import date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

from schedules.domain import (
    AvailabilityException,
    ClinicHours,
    ClinicInterval,
    ClinicOverride,
    DateRange,
    ForcedBlock,
    Holiday,
    Leave,
    ScheduleRules,
    WeeklyInterval,
    effective_windows,
)
from schedules.domain.recurrence import Recurrence

ZONE = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 6, 1)
WORKDAY = WeeklyInterval(0, time(9), time(12))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE)


def windows(rules: ScheduleRules, day: date = MONDAY, type_id: object = None) -> list[str]:
    found = effective_windows(rules, DateRange(day, day), type_id)  # type: ignore[arg-type]
    return [f"{w.start.astimezone(ZONE):%H:%M}-{w.end.astimezone(ZONE):%H:%M}" for w in found]


def rules(**layers: object) -> ScheduleRules:
    return ScheduleRules(zone=ZONE, weekly=(WORKDAY,), **layers)  # type: ignore[arg-type]


def available(start: int, end: int, **fields: object) -> AvailabilityException:
    return AvailabilityException("available", on=MONDAY, start=time(start), end=time(end), **fields)  # type: ignore[arg-type]


def blocked(start: int, end: int, **fields: object) -> AvailabilityException:
    return AvailabilityException("blocked", on=MONDAY, start=time(start), end=time(end), **fields)  # type: ignore[arg-type]


def test_the_weekly_template_alone_gives_its_intervals() -> None:
    assert windows(rules()) == ["09:00-12:00"]
    assert windows(rules(), MONDAY + timedelta(days=1)) == []


def test_an_available_exception_adds_time_outside_the_template_and_touching_time_joins() -> None:
    assert windows(rules(exceptions=(available(12, 14), available(16, 17)))) == [
        "09:00-14:00",
        "16:00-17:00",
    ]


def test_an_available_exception_never_opens_time_through_leave_holiday_or_blocks() -> None:
    extra = (available(12, 18),)
    leave = Leave(local(MONDAY, 13), local(MONDAY, 14))
    forced = ForcedBlock(local(MONDAY, 15), local(MONDAY, 16), "forced")
    emergency = ForcedBlock(local(MONDAY, 17), local(MONDAY, 18), "emergency")
    assert windows(rules(exceptions=extra, leaves=(leave,), blocks=(forced, emergency))) == [
        "09:00-13:00",
        "14:00-15:00",
        "16:00-17:00",
    ]
    assert windows(rules(exceptions=extra, holidays=(Holiday(MONDAY),))) == []


def test_only_approved_leave_removes_time() -> None:
    pending = Leave(local(MONDAY, 9), local(MONDAY, 12), approved=False)
    assert windows(rules(leaves=(pending,))) == ["09:00-12:00"]
    week = Leave(local(MONDAY, 0), local(MONDAY + timedelta(days=7), 0))
    assert windows(rules(leaves=(week,))) == []


def test_where_blocked_and_available_exceptions_overlap_blocked_wins() -> None:
    assert windows(rules(exceptions=(available(11, 15), blocked(10, 13)))) == [
        "09:00-10:00",
        "13:00-15:00",
    ]


def test_an_all_day_blocked_exception_removes_the_day() -> None:
    assert windows(rules(exceptions=(AvailabilityException("blocked", on=MONDAY),))) == []


def test_clinic_hours_cap_everything_and_a_closed_day_offers_nothing() -> None:
    hours = ClinicHours(weekly=(ClinicInterval(0, time(10), time(17)),))
    assert windows(rules(clinic_hours=hours, exceptions=(available(16, 19),))) == [
        "10:00-12:00",
        "16:00-17:00",
    ]
    closed = ClinicHours(weekly=hours.weekly, closed=frozenset({MONDAY}))
    assert windows(rules(clinic_hours=closed, exceptions=(available(13, 14),))) == []
    no_monday = ClinicHours(weekly=(ClinicInterval(1, time(8), time(18)),))
    assert windows(rules(clinic_hours=no_monday)) == []


def test_a_clinic_date_override_replaces_that_weekdays_hours() -> None:
    hours = ClinicHours(
        weekly=(ClinicInterval(0, time(8), time(18)),),
        overrides=(ClinicOverride(MONDAY, time(11), time(18)),),
    )
    assert windows(rules(clinic_hours=hours)) == ["11:00-12:00"]
    assert windows(rules(clinic_hours=hours), MONDAY + timedelta(days=7)) == ["09:00-12:00"]


def test_template_intervals_hold_only_between_their_effective_dates() -> None:
    later = WeeklyInterval(0, time(14), time(16), effective_from=MONDAY + timedelta(days=7))
    ended = WeeklyInterval(0, time(17), time(18), effective_to=MONDAY)
    schedule = ScheduleRules(zone=ZONE, weekly=(WORKDAY, later, ended))
    assert windows(schedule) == ["09:00-12:00", "17:00-18:00"]
    assert windows(schedule, MONDAY + timedelta(days=7)) == ["09:00-12:00", "14:00-16:00"]


def test_template_intervals_of_another_location_do_not_apply() -> None:
    here, there = uuid4(), uuid4()
    elsewhere = WeeklyInterval(0, time(14), time(16), location_id=there)
    schedule = ScheduleRules(zone=ZONE, weekly=(WORKDAY, elsewhere), location_id=here)
    assert windows(schedule) == ["09:00-12:00"]


def test_exceptions_restricted_to_an_appointment_type_apply_to_that_type_only() -> None:
    surgery, checkup = uuid4(), uuid4()
    layers = (
        available(14, 16, appointment_type_id=surgery),
        blocked(9, 10, appointment_type_id=checkup),
    )
    assert windows(rules(exceptions=layers), type_id=surgery) == ["09:00-12:00", "14:00-16:00"]
    assert windows(rules(exceptions=layers), type_id=checkup) == ["10:00-12:00"]
    assert windows(rules(exceptions=layers)) == ["09:00-12:00"]


def test_a_recurring_exception_applies_its_times_on_each_date_the_rrule_chooses() -> None:
    every_other_monday = AvailabilityException(
        "blocked",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        dtstart=MONDAY,
        start=time(11),
        end=time(12),
    )
    schedule = rules(exceptions=(every_other_monday,))
    found = effective_windows(schedule, DateRange(MONDAY, MONDAY + timedelta(days=21)))
    by_day = {
        w.local_date: f"{w.start.astimezone(ZONE):%H:%M}-{w.end.astimezone(ZONE):%H:%M}"
        for w in found
    }
    assert by_day == {
        MONDAY: "09:00-11:00",
        MONDAY + timedelta(days=7): "09:00-12:00",
        MONDAY + timedelta(days=14): "09:00-11:00",
        MONDAY + timedelta(days=21): "09:00-12:00",
    }


def test_a_recurring_exception_honours_exdates_rdates_and_count() -> None:
    entry = AvailabilityException(
        "blocked",
        rrule="FREQ=WEEKLY;COUNT=3",
        dtstart=MONDAY,
        exdates=frozenset({MONDAY + timedelta(days=7)}),
        rdates=frozenset({MONDAY + timedelta(days=28)}),
    )
    found = effective_windows(
        rules(exceptions=(entry,)), DateRange(MONDAY, MONDAY + timedelta(days=35))
    )
    # Blocked: the 1st and 3rd Mondays the rule chooses, and the added 5th; not the skipped 2nd.
    assert [w.local_date for w in found] == [
        MONDAY + timedelta(days=7),
        MONDAY + timedelta(days=21),
        MONDAY + timedelta(days=35),
    ]


def test_a_recurring_holiday_closes_every_date_it_chooses_from_its_first() -> None:
    first_of_month = Holiday(
        date(2026, 5, 4),
        Recurrence(
            "FREQ=MONTHLY;BYDAY=1MO", date(2026, 5, 4), exdates=frozenset({date(2026, 7, 6)})
        ),
    )
    mondays = DateRange(MONDAY, MONDAY + timedelta(days=42))
    found = effective_windows(rules(holidays=(first_of_month,)), mondays)
    assert [w.local_date for w in found] == [
        MONDAY + timedelta(days=n) for n in (7, 14, 21, 28, 35, 42)
    ]  # 1 June closed; 6 July skipped, so open
