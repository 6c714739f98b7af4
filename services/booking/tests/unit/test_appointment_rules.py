"""The pure rules of booking: state machine, policies, buffers, default hours, series dates."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from booking.domain.appointments import Action, next_status
from booking.domain.errors import IllegalTransition, PolicyViolation
from booking.domain.hours import within_default_hours
from booking.domain.occupation import blocked_interval
from booking.domain.policies import (
    TypePolicy,
    check_booking_window,
    check_cancellation_notice,
    check_reschedule_allowed,
)
from booking.domain.series import MAX_OCCURRENCES, expand
from clinic_contracts import AppointmentStatus as S
from clinic_platform.errors import RuleViolation

POLICY = TypePolicy(
    30,
    5,
    10,
    min_notice_minutes=60,
    max_future_days=14,
    reschedule_limit=1,
    cancellation_notice_minutes=24 * 60,
)
TAIPEI, NEW_YORK = ZoneInfo("Asia/Taipei"), ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)  # 10:00 in Taipei


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        (S.HELD, Action.BOOK, S.PENDING),
        (S.PENDING, Action.CONFIRM, S.CONFIRMED),
        (S.CONFIRMED, Action.COMPLETE, S.COMPLETED),
        (S.CONFIRMED, Action.NO_SHOW, S.NO_SHOW),
        (S.PENDING, Action.DECLINE, S.DECLINED),
        (S.HELD, Action.CANCEL, S.CANCELLED),
        (S.PENDING, Action.CANCEL, S.CANCELLED),
        (S.CONFIRMED, Action.CANCEL, S.CANCELLED),
    ],
)
def test_the_state_machine_allows_the_designed_steps(status: S, action: Action, after: S) -> None:
    assert next_status(status, action) is after


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.PENDING, Action.COMPLETE),
        (S.CANCELLED, Action.CONFIRM),
        (S.CONFIRMED, Action.DECLINE),
        (S.COMPLETED, Action.CANCEL),
        (S.HELD, Action.CONFIRM),
        (S.DECLINED, Action.RESCHEDULE),
    ],
)
def test_every_other_step_is_an_illegal_transition_409(status: S, action: Action) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_status(status, action)
    assert refused.value.status == 409
    assert refused.value.code == "illegal_transition"


def test_a_start_inside_the_minimum_notice_is_refused_unless_overridden() -> None:
    soon = NOW + timedelta(minutes=30)
    with pytest.raises(PolicyViolation) as refused:
        check_booking_window(POLICY, soon, NOW, TAIPEI, override=False)
    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "min_notice",
        "start_at",
        422,
    )
    check_booking_window(POLICY, soon, NOW, TAIPEI, override=True)


def test_the_horizon_ends_with_the_local_day_max_future_days_ahead() -> None:
    last_local_evening = datetime(2026, 12, 5, 23, 0, tzinfo=TAIPEI)
    check_booking_window(POLICY, last_local_evening, NOW, TAIPEI, override=False)
    with pytest.raises(PolicyViolation, match="14 days ahead"):
        check_booking_window(
            POLICY, last_local_evening + timedelta(hours=2), NOW, TAIPEI, override=False
        )


def test_reschedules_beyond_the_limit_and_late_cancellations_name_their_rule() -> None:
    check_reschedule_allowed(POLICY, 0, override=False)
    with pytest.raises(PolicyViolation) as moved:
        check_reschedule_allowed(POLICY, 1, override=False)
    with pytest.raises(PolicyViolation) as late:
        check_cancellation_notice(POLICY, NOW + timedelta(hours=3), NOW, override=False)
    assert (moved.value.code, late.value.code) == ("reschedule_limit", "cancellation_notice")


def test_an_appointment_keeps_its_resources_over_its_buffers() -> None:
    start = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    kept = blocked_interval(start, start + timedelta(minutes=30), 5, 10)
    assert (kept.start, kept.end) == (start - timedelta(minutes=5), start + timedelta(minutes=40))


def test_default_hours_are_local_wall_times_on_a_dst_day() -> None:
    # 2026-03-08 New York springs forward: 08:30 local is 12:30Z (EDT), 13:30Z the day before.
    opens, closes = time(8), time(21)
    dst_day = datetime(2026, 3, 8, 12, 30, tzinfo=UTC)
    assert within_default_hours(
        dst_day, dst_day + timedelta(minutes=30), NEW_YORK, opens, closes
    ).inside
    before_dst = datetime(2026, 3, 7, 12, 30, tzinfo=UTC)  # 07:30 EST
    verdict = within_default_hours(
        before_dst, before_dst + timedelta(minutes=30), NEW_YORK, opens, closes
    )
    assert not verdict.inside
    assert verdict.decided_by.value == "fallback_default_hours"


def test_a_weekly_series_keeps_its_local_wall_time_across_the_autumn_change() -> None:
    first = datetime(2026, 10, 26, 9, 0)  # Monday 09:00 local, EDT
    occurrences = expand("FREQ=WEEKLY;COUNT=3", first, NEW_YORK, 45)
    # Clocks go back on 2026-11-01: 09:00 EDT is 13:00Z, 09:00 EST is 14:00Z.
    assert [o.start.hour for o in occurrences] == [13, 14, 14]
    assert all(o.end - o.start == timedelta(minutes=45) for o in occurrences)


def test_a_daily_series_skips_the_local_time_that_does_not_exist() -> None:
    first = datetime(2026, 3, 7, 2, 30)  # 02:30 does not exist on 2026-03-08 in New York
    occurrences = expand("FREQ=DAILY;COUNT=3", first, NEW_YORK, 30)
    assert [o.index for o in occurrences] == [0, 2]


def test_a_series_without_an_end_is_refused_past_the_occurrence_cap() -> None:
    with pytest.raises(RuleViolation) as refused:
        expand("FREQ=DAILY", datetime(2026, 1, 1, 9), TAIPEI, 30)
    assert refused.value.code == "too_many_occurrences"
    assert str(MAX_OCCURRENCES) in (refused.value.detail or "")


def test_a_malformed_rrule_is_a_422_naming_the_field() -> None:
    with pytest.raises(RuleViolation) as refused:
        expand("FREQ=SOMETIMES", datetime(2026, 1, 1, 9), TAIPEI, 30)
    assert (refused.value.code, refused.value.field) == ("invalid_rrule", "rrule")
