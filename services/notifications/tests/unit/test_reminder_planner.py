"""The reminder planner: elapsed offsets before the UTC start, never in the past, never late."""

from datetime import UTC, datetime, timedelta

import pytest

from notifications.domain.reminders import (
    DEFAULT_OFFSETS_MINUTES,
    PlannedReminder,
    normalise_offsets,
    plan_reminders,
    too_late,
)

START = datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_the_default_plan_reminds_24_hours_and_2_hours_before() -> None:
    planned = plan_reminders(START, DEFAULT_OFFSETS_MINUTES, START - timedelta(days=3))
    assert planned == [
        PlannedReminder(START - timedelta(hours=24), 1440),
        PlannedReminder(START - timedelta(hours=2), 120),
    ]


def test_a_reminder_whose_time_has_passed_is_not_planned() -> None:
    booked_five_hours_ahead = START - timedelta(hours=5)
    planned = plan_reminders(START, DEFAULT_OFFSETS_MINUTES, booked_five_hours_ahead)
    assert [p.offset_minutes for p in planned] == [120]


def test_nothing_is_planned_for_an_appointment_that_started() -> None:
    assert plan_reminders(START, DEFAULT_OFFSETS_MINUTES, START) == []


def test_offsets_are_elapsed_time_across_a_dst_change() -> None:
    # New York springs forward on 2026-03-08 02:00: 24 h before 10:00 EDT is 09:00 EST.
    planned = plan_reminders(START, [1440], START - timedelta(days=2))
    assert START - planned[0].due_at == timedelta(hours=24)


def test_offsets_are_deduplicated_and_bounded() -> None:
    assert normalise_offsets([120, 1440, 120]) == [1440, 120]
    with pytest.raises(ValueError, match="between 1 and"):
        normalise_offsets([0])


def test_a_reminder_found_long_after_it_was_due_is_too_late() -> None:
    due = START - timedelta(hours=24)
    assert not too_late(due, 1440, due + timedelta(hours=11))
    assert too_late(due, 1440, due + timedelta(hours=13))
