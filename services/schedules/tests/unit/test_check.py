"""Why an interval is or is not bookable: the deciding rule by priority, and every reason."""

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
    ClinicOverride,
    DateRange,
    ForcedBlock,
    Holiday,
    Leave,
    ScheduleRules,
    SlotQuery,
    UtcRange,
    WeeklyInterval,
    available_slots,
    effective_windows,
)
from schedules.domain.check import CheckQuery, Verdict, check_interval
from schedules.domain.recurrence import Recurrence

ZONE = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 6, 1)
MIN = timedelta(minutes=1)
TYPE = UUID(int=1)
TEMPLATE = (WeeklyInterval(0, time(9), time(12)), WeeklyInterval(0, time(14), time(18)))


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE)


def verdict(rules: ScheduleRules, start: datetime, end: datetime, **options: object) -> Verdict:
    return check_interval(rules, CheckQuery(start, end, **options))  # type: ignore[arg-type]


def rules(**layers: object) -> ScheduleRules:
    return ScheduleRules(zone=ZONE, weekly=TEMPLATE, **layers)  # type: ignore[arg-type]


def exception(kind: Literal["blocked", "available"], start: int, end: int) -> AvailabilityException:
    return AvailabilityException(kind, on=MONDAY, start=time(start), end=time(end))


def test_an_interval_inside_the_weekly_template_is_bookable_by_the_weekly_schedule() -> None:
    assert verdict(rules(), at(9), at(9, 30)) == Verdict(True, "weekly_schedule", ())
    assert verdict(rules(), at(11, 30), at(12)).bookable


def test_time_added_by_an_available_exception_is_bookable_by_that_exception() -> None:
    extra = rules(exceptions=(exception("available", 12, 14),))
    assert verdict(extra, at(12), at(13)) == Verdict(True, "exception_available", ())
    # The template and the exception touch: one window from 09:00 to 18:00.
    assert verdict(extra, at(11, 30), at(14, 30)).rule == "exception_available"


def test_outside_the_template_the_reason_is_the_weekly_schedule() -> None:
    assert verdict(rules(), at(12), at(13)) == Verdict(
        False, "outside_weekly_schedule", ("outside_weekly_schedule",)
    )
    assert verdict(rules(), at(11, 30), at(14, 30)).rule == "outside_weekly_schedule"
    assert verdict(rules(), at(9), at(10), appointment_type_id=TYPE).bookable


def test_the_deciding_rule_is_the_highest_priority_of_all_reasons() -> None:
    layered = rules(
        blocks=(
            ForcedBlock(at(9), at(10), "forced"),
            ForcedBlock(at(9, 30), at(11), "emergency"),
        ),
        leaves=(Leave(at(8), at(10, 30)),),
        holidays=(Holiday(MONDAY),),
        clinic_hours=ClinicHours(weekly=(ClinicInterval(0, time(10), time(17)),)),
        exceptions=(exception("blocked", 9, 10),),
    )
    found = verdict(layered, at(9), at(10))
    assert found.rule == "forced_block"
    assert found.reasons == (
        "forced_block",
        "emergency",
        "leave",
        "holiday",
        "outside_clinic_hours",
        "exception_blocked",
    )
    assert verdict(layered, at(10, 30), at(11)).reasons == ("emergency", "holiday")
    assert verdict(layered, at(16), at(17)).reasons == ("holiday",)


def test_only_approved_leave_and_standing_rules_refuse() -> None:
    requested = rules(leaves=(Leave(at(9), at(12), approved=False),))
    assert verdict(requested, at(9), at(10)).bookable
    approved = rules(leaves=(Leave(at(9), at(12)),))
    assert verdict(approved, at(9), at(10)).rule == "leave"


def test_clinic_closed_dates_and_weekdays_without_hours_are_closed_not_outside_hours() -> None:
    weekday_hours = (ClinicInterval(0, time(8), time(20)),)
    closed_date = rules(clinic_hours=ClinicHours(weekly=weekday_hours, closed=frozenset({MONDAY})))
    assert verdict(closed_date, at(9), at(10)).rule == "clinic_closed"
    no_monday = rules(clinic_hours=ClinicHours(weekly=(ClinicInterval(1, time(8), time(20)),)))
    assert verdict(no_monday, at(9), at(10)).rule == "clinic_closed"
    # A date override replaces the weekday's hours.
    short = ClinicHours(
        weekly=weekday_hours, overrides=(ClinicOverride(MONDAY, time(10), time(11)),)
    )
    assert verdict(rules(clinic_hours=short), at(9), at(10)).rule == "outside_clinic_hours"
    assert verdict(rules(clinic_hours=short), at(10), at(11)).bookable


def test_a_blocked_exception_beats_an_available_one_and_type_restrictions_apply() -> None:
    both = rules(exceptions=(exception("available", 12, 14), exception("blocked", 12, 13)))
    assert verdict(both, at(12), at(12, 30)).rule == "exception_blocked"
    assert verdict(both, at(13), at(14)).rule == "exception_available"
    only_type = AvailabilityException(
        "blocked", on=MONDAY, start=time(9), end=time(10), appointment_type_id=TYPE
    )
    typed = rules(exceptions=(only_type,))
    assert verdict(typed, at(9), at(10)).bookable
    assert verdict(typed, at(9), at(10), appointment_type_id=TYPE).rule == "exception_blocked"


def test_a_recurring_holiday_is_the_reason_on_each_of_its_dates() -> None:
    weekly = Holiday(
        MONDAY - timedelta(days=7), Recurrence("FREQ=WEEKLY", MONDAY - timedelta(days=7))
    )
    assert verdict(rules(holidays=(weekly,)), at(9), at(10)) == Verdict(
        False, "holiday", ("holiday",)
    )


def test_a_recurring_exception_applies_on_the_dates_its_rrule_chooses() -> None:
    every_other_monday = AvailabilityException(
        "blocked",
        rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
        dtstart=MONDAY,
        start=time(9),
        end=time(12),
    )
    recurring = rules(exceptions=(every_other_monday,))
    assert verdict(recurring, at(9), at(10)).rule == "exception_blocked"
    next_monday = MONDAY + timedelta(days=7)
    assert verdict(recurring, at(9, day=next_monday), at(10, day=next_monday)).bookable
    in_two = MONDAY + timedelta(days=14)
    assert not verdict(recurring, at(9, day=in_two), at(10, day=in_two)).bookable


def test_no_interval_runs_across_local_midnight_even_between_available_days() -> None:
    late = (WeeklyInterval(0, time(20), time(0)), WeeklyInterval(1, time(0), time(4)))
    night = ScheduleRules(zone=ZONE, weekly=late)
    assert verdict(night, at(23), at(23, 59) + MIN).bookable
    tuesday = MONDAY + timedelta(days=1)
    assert not verdict(night, at(23), at(1, day=tuesday)).bookable


def test_on_the_spring_dst_day_local_rules_cover_real_elapsed_time() -> None:
    zone = ZoneInfo("America/New_York")  # 2026-03-08: 02:00 EST jumps to 03:00 EDT
    start = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)
    assert start.astimezone(zone).strftime("%H:%M %Z") == "01:30 EST"
    night = ScheduleRules(zone=zone, weekly=(WeeklyInterval(6, time(0), time(6)),))
    # Sixty real minutes from 01:30 EST end at 03:30 EDT, inside 00:00-06:00.
    assert check_interval(night, CheckQuery(start, start + 60 * MIN)).bookable
    gap = ScheduleRules(zone=zone, weekly=(WeeklyInterval(6, time(2), time(3)),))
    # 02:00-03:00 never happens that day: no instant around it is offered.
    for begin in (start, start + 30 * MIN):
        assert check_interval(gap, CheckQuery(begin, begin + 30 * MIN)).reasons == (
            "outside_weekly_schedule",
        )


def test_occupancy_counts_only_when_asked_with_buffers_holds_and_capacity() -> None:
    booked = BookedInterval(at(10), at(10, 30), buffer_after=10 * MIN)
    lapsed = BookedInterval(at(11), at(11, 30), expires_at=at(6, 30))
    busy = BusyInterval(at(15), at(16))
    taken = rules(booked=(booked, lapsed), busy=(busy,))
    now = at(7)
    assert verdict(taken, at(10), at(10, 30)).bookable  # rules only: booking checks overlap itself
    occupied = {"include_occupancy": True, "now": now}
    assert verdict(taken, at(10), at(10, 30), **occupied).rule == "booked"
    assert verdict(taken, at(10, 30), at(11), **occupied).rule == "booked"  # its buffer
    assert verdict(taken, at(10, 40), at(11), **occupied).bookable
    assert not verdict(taken, at(10, 40), at(11), buffer_before=5 * MIN, **occupied).bookable
    assert verdict(taken, at(11), at(11, 30), **occupied).bookable  # the hold has lapsed
    assert verdict(taken, at(15, 30), at(16), **occupied).rule == "external_busy"
    pair = ScheduleRules(
        zone=ZONE,
        weekly=(WeeklyInterval(0, time(9), time(12), max_parallel_sessions=2),),
        booked=(booked,),
    )
    assert verdict(pair, at(10), at(10, 30), **occupied).bookable
    twice = ScheduleRules(zone=ZONE, weekly=pair.weekly, booked=(booked, booked))
    assert verdict(twice, at(10), at(10, 30), **occupied).rule == "booked"


# --- Properties: the check agrees with the engine's windows and slots on random rules.

ZONES = [ZoneInfo(k) for k in ("America/New_York", "Europe/London", "Australia/Lord_Howe")]
FIRST_DAYS = [date(2026, 3, 7), date(2026, 3, 28), date(2026, 10, 31), date(2026, 6, 1)]
QUARTER = timedelta(minutes=15)


def wall(quarters: int) -> time:
    return time(0) if quarters >= 96 else time(quarters // 4, quarters % 4 * 15)


@st.composite
def local_interval(draw: st.DrawFn) -> tuple[time, time]:
    start = draw(st.integers(0, 94))
    return wall(start), wall(draw(st.integers(start + 1, min(start + 40, 96))))


@st.composite
def scenario(draw: st.DrawFn) -> tuple[ScheduleRules, date]:
    zone, first = draw(st.sampled_from(ZONES)), draw(st.sampled_from(FIRST_DAYS))
    days = st.integers(0, 2).map(lambda n: first + timedelta(days=n))
    origin = datetime.combine(first, time(0), zone).astimezone(UTC)
    instants = st.tuples(st.integers(0, 288), st.integers(1, 24)).map(
        lambda p: (origin + p[0] * QUARTER, origin + (p[0] + p[1]) * QUARTER)
    )
    weekly = tuple(
        WeeklyInterval(draw(days).weekday(), *draw(local_interval()), draw(st.sampled_from([1, 2])))
        for _ in range(draw(st.integers(1, 5)))
    )
    kinds: st.SearchStrategy[Literal["blocked", "available"]] = st.sampled_from(
        ["blocked", "available"]
    )
    exceptions = tuple(
        AvailabilityException(
            draw(kinds),
            on=draw(days),
            start=(times := draw(st.none() | local_interval())) and times[0],
            end=times and times[1],
            appointment_type_id=draw(st.sampled_from([None, TYPE])),
        )
        for _ in range(draw(st.integers(0, 3)))
    )
    hours = None
    if draw(st.booleans()):
        hours = ClinicHours(
            weekly=tuple(
                ClinicInterval(draw(days).weekday(), *draw(local_interval()))
                for _ in range(draw(st.integers(1, 6)))
            ),
            closed=frozenset(draw(st.lists(days, max_size=1))),
        )
    rules = ScheduleRules(
        zone=zone,
        weekly=weekly,
        clinic_hours=hours,
        exceptions=exceptions,
        leaves=tuple(
            Leave(*draw(instants), approved=draw(st.booleans()))
            for _ in range(draw(st.integers(0, 2)))
        ),
        holidays=tuple(Holiday(d) for d in draw(st.lists(days, max_size=1))),
        blocks=tuple(
            ForcedBlock(*draw(instants), draw(st.sampled_from(["forced", "emergency"])))
            for _ in range(draw(st.integers(0, 2)))
        ),
        booked=tuple(
            BookedInterval(*draw(instants), draw(st.integers(0, 2)) * 5 * MIN)
            for _ in range(draw(st.integers(0, 4)))
        ),
        busy=tuple(BusyInterval(*draw(instants)) for _ in range(draw(st.integers(0, 2)))),
    )
    return rules, first


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_interval_is_bookable_exactly_when_an_engine_window_holds_it(
    data: st.DataObject,
) -> None:
    rules, first = data.draw(scenario())
    origin = datetime.combine(first, time(0), rules.zone).astimezone(UTC)
    start = origin + data.draw(st.integers(0, 280)) * QUARTER
    end = start + data.draw(st.integers(1, 16)) * QUARTER
    type_id = data.draw(st.sampled_from([None, TYPE]))
    found = check_interval(rules, CheckQuery(start, end, appointment_type_id=type_id))
    windows = effective_windows(rules, UtcRange(start, end), type_id)
    held = any(w.start <= start and end <= w.end for w in windows)
    assert found.bookable == held
    assert found.bookable == (found.reasons == ())
    assert found.rule == (found.reasons[0] if found.reasons else found.rule)


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_every_slot_the_engine_offers_passes_the_check_with_occupancy(
    data: st.DataObject,
) -> None:
    rules, first = data.draw(scenario())
    now = datetime.combine(first, time(0), rules.zone).astimezone(UTC) - timedelta(days=1)
    query = SlotQuery(
        duration=data.draw(st.integers(1, 8)) * QUARTER,
        window=DateRange(first, first + timedelta(days=2)),
        now=now,
        buffer_before=data.draw(st.integers(0, 2)) * 5 * MIN,
        buffer_after=data.draw(st.integers(0, 2)) * 5 * MIN,
        appointment_type_id=data.draw(st.sampled_from([None, TYPE])),
    )
    for slot in available_slots(rules, query):
        found = check_interval(
            rules,
            CheckQuery(
                slot.start,
                slot.end,
                appointment_type_id=query.appointment_type_id,
                include_occupancy=True,
                now=now,
                buffer_before=query.buffer_before,
                buffer_after=query.buffer_after,
            ),
        )
        assert found.bookable, (slot, found)
