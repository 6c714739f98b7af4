"""The reminder planner: when each reminder of an appointment is due."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from clinic_contracts import AppointmentStatus

# Appointments whose reminders still go out (the replica's `status` column holds the values).
ACTIVE_STATUSES = (AppointmentStatus.PENDING.value, AppointmentStatus.CONFIRMED.value)
DEFAULT_OFFSETS_MINUTES: tuple[int, ...] = (24 * 60, 120)
MAX_OFFSET_MINUTES = 30 * 24 * 60


@dataclass(frozen=True, order=True)
class PlannedReminder:
    """One reminder: `offset_minutes` before the appointment's start, due at `due_at`."""

    due_at: datetime
    offset_minutes: int


def plan_reminders(start: datetime, offsets: Iterable[int], now: datetime) -> list[PlannedReminder]:
    """Reminders still ahead: due after `now` (a passed one is dropped, never sent late).

    Offsets are elapsed minutes before the UTC start, so a DST change in between shifts the
    wall-clock time of the reminder, never its distance from the appointment.
    """
    planned = {
        PlannedReminder(start - timedelta(minutes=offset), offset)
        for offset in offsets
        if offset > 0
    }
    return sorted(r for r in planned if now < r.due_at < start)


def normalise_offsets(offsets: Iterable[int]) -> list[int]:
    """Distinct offsets, longest first; ValueError when one is not in (0, 30 days]."""
    cleaned = sorted(set(offsets), reverse=True)
    for offset in cleaned:
        if not 0 < offset <= MAX_OFFSET_MINUTES:
            raise ValueError(f"offset {offset} must be between 1 and {MAX_OFFSET_MINUTES} minutes")
    return cleaned


def too_late(due_at: datetime, offset_minutes: int, now: datetime) -> bool:
    """Whether a reminder found this late (the service was down) would mislead: more than
    half its offset has passed since it was due ("in 24 hours" said 12 hours before)."""
    return now - due_at > timedelta(minutes=offset_minutes) / 2
