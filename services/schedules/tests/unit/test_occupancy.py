"""Occupancy figures: booked and available minutes per local hour, outcomes and peak hours."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from schedules.domain import ScheduleRules, WeeklyInterval
from schedules.domain.occupancy import (
    AppointmentFact,
    OccupancyInputs,
    PractitionerFigures,
    occupancy,
)

TAIPEI = ZoneInfo("Asia/Taipei")  # UTC+8 all year
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")  # UTC+5:30
MONDAY = date(2030, 3, 4)
DOC, PLACE = uuid4(), uuid4()


def local(day: date, hour: int, minute: int = 0, zone: ZoneInfo = TAIPEI) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


def weekly(zone: ZoneInfo, day: date, start: time, end: time) -> ScheduleRules:
    return ScheduleRules(zone=zone, weekly=(WeeklyInterval(day.weekday(), start, end),))


def fact(
    start: datetime, minutes: int, status: str = "confirmed", who: UUID = DOC, at: UUID = PLACE
) -> AppointmentFact:
    return AppointmentFact(who, at, start, start + timedelta(minutes=minutes), status)


def only(found: list[PractitionerFigures]) -> PractitionerFigures:
    assert len(found) == 1
    return found[0]


def hours_of(found: PractitionerFigures) -> dict[int, tuple[int, float, float]]:
    """hour → (booked count, booked minutes, available minutes) of the only day."""
    (day,) = found.days
    return {
        h.hour: (h.tally.booked_count, h.tally.booked_seconds / 60, h.tally.available_seconds / 60)
        for h in day.hours
    }


def test_booked_minutes_split_by_local_hour_and_counted_in_the_hour_they_start() -> None:
    rules = {(DOC, PLACE): weekly(TAIPEI, MONDAY, time(9), time(12))}
    facts = [fact(local(MONDAY, 9, 30), 60), fact(local(MONDAY, 11), 15)]
    found = only(occupancy(OccupancyInputs(facts, rules), MONDAY, MONDAY))
    assert hours_of(found) == {9: (1, 30, 60), 10: (0, 30, 60), 11: (1, 15, 60)}
    (day,) = found.days
    assert (day.day, day.location_id, day.zone) == (MONDAY, PLACE, TAIPEI)
    assert day.hours[0].start == local(MONDAY, 9)
    assert day.hours[0].end == local(MONDAY, 10)
    assert (day.tally.booked_count, day.tally.booked_seconds, day.tally.available_seconds) == (
        2,
        75 * 60,
        180 * 60,
    )
    assert day.tally.utilisation == 75 / 180
    assert found.tally.utilisation == 75 / 180


def test_cancelled_and_declined_are_not_occupancy_but_no_shows_are() -> None:
    facts = [
        fact(local(MONDAY, 9), 30, "completed"),
        fact(local(MONDAY, 10), 30, "completed"),
        fact(local(MONDAY, 11), 30, "no_show"),
        fact(local(MONDAY, 12), 30, "cancelled"),
        fact(local(MONDAY, 13), 30, "declined"),
        fact(local(MONDAY, 14), 30, "pending"),
    ]
    found = only(occupancy(OccupancyInputs(facts, zones={PLACE: TAIPEI}), MONDAY, MONDAY))
    assert sorted(hours_of(found)) == [9, 10, 11, 14]
    assert (found.completed, found.no_show) == (2, 1)
    assert found.no_show_rate == 1 / 3
    # Without rules nothing was available: utilisation is undefined, not zero or infinite.
    assert found.tally.utilisation is None


def test_the_no_show_rate_is_undefined_until_an_appointment_has_ended() -> None:
    facts = [fact(local(MONDAY, 9), 30, "confirmed")]
    found = only(occupancy(OccupancyInputs(facts, zones={PLACE: TAIPEI}), MONDAY, MONDAY))
    assert found.no_show_rate is None


def test_autumn_repeated_hour_holds_both_occurrences() -> None:
    # New York falls back at 02:00 EDT on 2026-11-01: local 01:00-02:00 happens twice.
    day = date(2026, 11, 1)
    rules = {(DOC, PLACE): weekly(NEW_YORK, day, time(0), time(4))}
    second_one_thirty = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST
    facts = [fact(second_one_thirty, 60)]
    found = only(occupancy(OccupancyInputs(facts, rules), day, day))
    assert hours_of(found) == {0: (0, 0, 60), 1: (1, 30, 120), 2: (0, 30, 60), 3: (0, 0, 60)}
    repeated = found.days[0].hours[1]
    assert (repeated.start, repeated.end) == (
        datetime(2026, 11, 1, 5, tzinfo=UTC),
        datetime(2026, 11, 1, 7, tzinfo=UTC),
    )
    assert found.tally.available_seconds == 5 * 3600  # real elapsed time, not 4 wall hours


def test_spring_skipped_hour_has_no_time_at_all() -> None:
    day = date(2026, 3, 8)
    rules = {(DOC, PLACE): weekly(NEW_YORK, day, time(0), time(4))}
    found = only(occupancy(OccupancyInputs([], rules), day, day))
    assert hours_of(found) == {0: (0, 0, 60), 1: (0, 0, 60), 3: (0, 0, 60)}


def test_half_hour_zones_use_local_hours() -> None:
    day = date(2030, 3, 4)
    rules = {(DOC, PLACE): weekly(KOLKATA, day, time(9), time(10))}
    found = only(occupancy(OccupancyInputs([], rules), day, day))
    (hour,) = found.days[0].hours
    assert (hour.hour, hour.start) == (9, datetime(2030, 3, 4, 3, 30, tzinfo=UTC))


def test_a_location_without_rules_uses_its_replica_zone_and_an_unknown_one_utc() -> None:
    known, unknown = uuid4(), uuid4()
    start = datetime(2030, 3, 4, 1, 0, tzinfo=UTC)  # 09:00 in Taipei, 01:00 in UTC
    facts = [fact(start, 30, at=known), fact(start, 30, at=unknown)]
    found = only(occupancy(OccupancyInputs(facts, zones={known: TAIPEI}), MONDAY, MONDAY))
    by_place = {day.location_id: day for day in found.days}
    assert (by_place[known].zone, by_place[known].hours[0].hour) == (TAIPEI, 9)
    assert (by_place[unknown].zone.key, by_place[unknown].hours[0].hour) == ("UTC", 1)


def test_the_range_clips_minutes_and_counts_only_appointments_starting_in_it() -> None:
    # 23:30 the evening before to 00:30 on the first day: 30 minutes in range, not counted.
    facts = [fact(local(MONDAY - timedelta(days=1), 23, 30), 60)]
    found = only(occupancy(OccupancyInputs(facts, zones={PLACE: TAIPEI}), MONDAY, MONDAY))
    assert hours_of(found) == {0: (0, 30, 0)}
    assert (found.completed, found.no_show) == (0, 0)


def test_appointments_wholly_outside_the_range_list_nobody() -> None:
    facts = [fact(local(MONDAY + timedelta(days=1), 9), 30, "no_show")]
    assert occupancy(OccupancyInputs(facts, zones={PLACE: TAIPEI}), MONDAY, MONDAY) == []


def test_practitioners_with_rules_are_listed_even_when_idle() -> None:
    sunday = MONDAY - timedelta(days=1)
    rules = {(DOC, PLACE): weekly(TAIPEI, sunday, time(9), time(10))}
    found = only(occupancy(OccupancyInputs([], rules), MONDAY, MONDAY))
    assert (found.practitioner_id, found.days, found.tally.utilisation) == (DOC, (), None)


def test_every_practitioner_of_a_shared_appointment_gets_all_of_it() -> None:
    other = uuid4()
    facts = [fact(local(MONDAY, 9), 45), fact(local(MONDAY, 9), 45, who=other)]
    found = occupancy(OccupancyInputs(facts, zones={PLACE: TAIPEI}), MONDAY, MONDAY)
    assert sorted(p.practitioner_id for p in found) == sorted([DOC, other], key=str)
    assert [p.tally.booked_seconds for p in found] == [45 * 60, 45 * 60]


def test_peak_hours_are_the_three_busiest_hours_of_day_over_the_range_ties_to_the_earlier() -> None:
    tuesday = MONDAY + timedelta(days=1)
    facts = [
        fact(local(MONDAY, 14), 60),
        fact(local(tuesday, 14), 30),  # hour 14: 90 minutes over two days
        fact(local(MONDAY, 9), 45),
        fact(local(tuesday, 11), 45),  # 9 and 11 tie at 45: 9 first
        fact(local(MONDAY, 16), 15),
    ]
    found = only(occupancy(OccupancyInputs(facts, zones={PLACE: TAIPEI}), MONDAY, tuesday))
    assert [(hour, t.booked_seconds // 60) for hour, t in found.peak_hours] == [
        (14, 90),
        (9, 45),
        (11, 45),
    ]
    assert [day.day for day in found.days] == [MONDAY, tuesday]


def test_each_practitioner_location_has_its_own_rules_and_zone() -> None:
    tokyo_place = uuid4()
    rules = {
        (DOC, PLACE): weekly(TAIPEI, MONDAY, time(9), time(10)),
        (DOC, tokyo_place): weekly(ZoneInfo("Asia/Tokyo"), MONDAY, time(9), time(11)),
    }
    found = only(occupancy(OccupancyInputs([], rules), MONDAY, MONDAY))
    assert [(d.location_id, d.tally.available_seconds // 60) for d in found.days] == sorted(
        [(PLACE, 60), (tokyo_place, 120)], key=lambda item: str(item[0])
    )
    assert found.tally.available_seconds == 180 * 60
