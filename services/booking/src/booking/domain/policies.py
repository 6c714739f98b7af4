"""An appointment type's booking policies: notice, horizon, reschedules, cancellation notice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from booking.domain.errors import PolicyViolation


@dataclass(frozen=True)
class TypePolicy:
    """The parts of an appointment type that decide when and how often it may be booked."""

    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    min_notice_minutes: int
    max_future_days: int
    reschedule_limit: int
    cancellation_notice_minutes: int


def check_booking_window(
    policy: TypePolicy, start: datetime, now: datetime, zone: ZoneInfo, *, override: bool
) -> None:
    """Refuse a start sooner than the minimum notice or beyond the last bookable local day."""
    if override:
        return
    earliest = now + timedelta(minutes=policy.min_notice_minutes)
    if start < earliest:
        raise PolicyViolation(
            "min_notice",
            f"this appointment type needs {policy.min_notice_minutes} minutes' notice; "
            f"the earliest start is {earliest.isoformat()}",
            field="start_at",
        )
    # The horizon ends with the local day `max_future_days` ahead, in the location's zone.
    last_day = now.astimezone(zone).date() + timedelta(days=policy.max_future_days)
    if start.astimezone(zone).date() > last_day:
        raise PolicyViolation(
            "max_future_days",
            f"this appointment type books at most {policy.max_future_days} days ahead "
            f"(until {last_day.isoformat()} local time)",
            field="start_at",
        )


def check_reschedule_allowed(policy: TypePolicy, moves_so_far: int, *, override: bool) -> None:
    """Refuse a move beyond the type's reschedule limit."""
    if not override and moves_so_far >= policy.reschedule_limit:
        raise PolicyViolation(
            "reschedule_limit",
            f"this appointment was already moved {moves_so_far} times "
            f"(limit {policy.reschedule_limit})",
        )


def check_cancellation_notice(
    policy: TypePolicy, start: datetime, now: datetime, *, override: bool
) -> None:
    """Refuse a cancellation closer to the start than the type's cancellation notice."""
    if override or start <= now:
        return
    if start - now < timedelta(minutes=policy.cancellation_notice_minutes):
        raise PolicyViolation(
            "cancellation_notice",
            f"cancellations need {policy.cancellation_notice_minutes} minutes' notice; "
            "please call the clinic",
        )
