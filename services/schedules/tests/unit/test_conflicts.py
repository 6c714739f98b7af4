"""Which booked appointments a rule change leaves outside effective availability."""

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from schedules.domain import AvailabilityException, Leave, ScheduleRules, WeeklyInterval
from schedules.domain.conflicts import BookedAppointment, inside, newly_outside

ZONE = ZoneInfo("Europe/Berlin")
MONDAY = date(2030, 6, 3)
P, Q, L, TYPE, OTHER = uuid4(), uuid4(), uuid4(), uuid4(), uuid4()


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = ZONE) -> datetime:
    return datetime.combine(day, time(hour, minute), zone).astimezone(UTC)


def booked(
    start: datetime,
    minutes: int = 30,
    *,
    who: tuple[UUID, ...] = (P,),
    type_id: UUID = TYPE,
) -> BookedAppointment:
    return BookedAppointment(uuid4(), who, L, type_id, start, start + timedelta(minutes=minutes))


def week(*spans: tuple[int, int], weekday: int = 0) -> tuple[WeeklyInterval, ...]:
    return tuple(WeeklyInterval(weekday, time(a), time(b)) for a, b in spans)


def rules(weekly: tuple[WeeklyInterval, ...], **layers: object) -> ScheduleRules:
    return ScheduleRules(zone=ZONE, weekly=weekly, location_id=L, **layers)  # type: ignore[arg-type]


def ids(found: list[object]) -> list[UUID]:
    return [a.appointment.appointment_id for a in found]  # type: ignore[attr-defined]


def test_shortening_the_day_leaves_only_the_appointments_in_the_removed_hours_outside() -> None:
    morning, late = booked(at(MONDAY, 9)), booked(at(MONDAY, 16))
    before = {(P, L): rules(week((9, 12), (14, 18)))}
    after = {(P, L): rules(week((9, 12), (14, 16)))}
    assert ids(newly_outside(before, after, [morning, late], [P])) == [late.appointment_id]


def test_an_appointment_cut_partly_by_the_change_counts_as_outside() -> None:
    straddling = booked(at(MONDAY, 11, 30), 30)
    before = {(P, L): rules(week((9, 12)))}
    after = {(P, L): rules((WeeklyInterval(0, time(9), time(11, 45)),))}
    assert ids(newly_outside(before, after, [straddling], [P])) == [straddling.appointment_id]


def test_appointments_already_outside_before_the_change_are_not_its_doing() -> None:
    evening = booked(at(MONDAY, 19))
    before = {(P, L): rules(week((9, 12)))}
    after = {(P, L): rules(week((10, 12)))}
    assert newly_outside(before, after, [evening], [P]) == []
    # Widening the hours never leaves anything outside either.
    assert newly_outside(after, before, [booked(at(MONDAY, 10))], [P]) == []


def test_a_type_restricted_available_exception_only_ever_held_its_own_type() -> None:
    extra = AvailabilityException(
        "available", on=MONDAY, start=time(18), end=time(20), appointment_type_id=TYPE
    )
    mine, other = booked(at(MONDAY, 18)), booked(at(MONDAY, 18), type_id=OTHER)
    before = {(P, L): rules(week((9, 12)), exceptions=(extra,))}
    after = {(P, L): rules(week((9, 12)))}
    assert inside(before, [mine, other], [P]) == {(mine.appointment_id, P)}
    assert ids(newly_outside(before, after, [mine, other], [P])) == [mine.appointment_id]


def test_a_type_restricted_block_leaves_other_types_inside() -> None:
    block = AvailabilityException(
        "blocked", on=MONDAY, start=time(9), end=time(12), appointment_type_id=TYPE
    )
    mine, other = booked(at(MONDAY, 10)), booked(at(MONDAY, 10), type_id=OTHER)
    before = {(P, L): rules(week((9, 12)))}
    after = {(P, L): rules(week((9, 12)), exceptions=(block,))}
    assert ids(newly_outside(before, after, [mine, other], [P])) == [mine.appointment_id]


def test_approved_leave_removes_the_time_it_covers_across_days() -> None:
    tuesday = MONDAY + timedelta(days=1)
    weekly = (*week((9, 17)), *week((9, 17), weekday=1))
    monday_visit, tuesday_visit = booked(at(MONDAY, 15)), booked(at(tuesday, 10))
    leave = Leave(at(MONDAY, 14), at(tuesday, 9, 30))
    before = {(P, L): rules(weekly)}
    after = {(P, L): rules(weekly, leaves=(leave,))}
    found = newly_outside(before, after, [tuesday_visit, monday_visit], [P])
    assert ids(found) == [monday_visit.appointment_id]  # in start order; Tuesday 10:00 is kept


def test_a_shared_appointment_is_listed_once_under_the_practitioner_who_lost_it() -> None:
    shared = booked(at(MONDAY, 10), who=(Q, P))
    before = {(P, L): rules(week((9, 12))), (Q, L): rules(week((9, 12)))}
    after = {(P, L): rules(week((11, 12))), (Q, L): rules(week((9, 12)))}
    [found] = newly_outside(before, after, [shared], [P, Q])
    assert (found.appointment.appointment_id, found.practitioner_id) == (shared.appointment_id, P)
    # Practitioners outside the change's reach are not judged at all.
    assert newly_outside(before, after, [shared], [Q]) == []


def test_without_a_placement_nothing_is_inside_so_nothing_is_lost() -> None:
    visit = booked(at(MONDAY, 10))
    assert inside({}, [visit], [P]) == set()
    assert newly_outside({(P, L): rules(week((9, 12)))}, {}, [visit], [P])[0].practitioner_id == P
    assert newly_outside({}, {(P, L): rules(week((9, 12)))}, [visit], [P]) == []


def test_on_the_spring_dst_day_real_elapsed_time_decides() -> None:
    york = ZoneInfo("America/New_York")
    sunday = date(2026, 3, 8)  # 02:00-03:00 does not exist in New York that day
    before = {(P, L): ScheduleRules(zone=york, weekly=week((1, 4), weekday=6), location_id=L)}
    after = {(P, L): ScheduleRules(zone=york, weekly=week((3, 4), weekday=6), location_id=L)}
    # 01:30 EST to 03:30 EDT is one real hour, inside 01:00-04:00 before, not inside 03:00-04:00.
    early = BookedAppointment(
        uuid4(), (P,), L, TYPE, at(sunday, 1, 30, york), at(sunday, 3, 30, york)
    )
    late = BookedAppointment(uuid4(), (P,), L, TYPE, at(sunday, 3, 0, york), at(sunday, 4, 0, york))
    assert early.end - early.start == timedelta(hours=1)
    assert ids(newly_outside(before, after, [early, late], [P])) == [early.appointment_id]
