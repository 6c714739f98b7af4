"""Working-hours verdicts: from the schedules service, or the configured default bounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from clinic_contracts import OutsideHoursDecision


@dataclass(frozen=True)
class HoursVerdict:
    """Whether an interval is inside working hours, and which rule decided."""

    inside: bool
    decided_by: OutsideHoursDecision
    detail: str


def within_default_hours(
    start: datetime, end: datetime, zone: ZoneInfo, opens_at: time, closes_at: time
) -> HoursVerdict:
    """The fallback rule: one local day, between the default opening and closing times."""
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    inside = (
        local_start.date() == local_end.date()
        and opens_at <= local_start.time()
        and local_end.time() <= closes_at
    )
    return HoursVerdict(
        inside,
        OutsideHoursDecision.FALLBACK_DEFAULT_HOURS,
        f"default hours {opens_at:%H:%M}-{closes_at:%H:%M} {zone.key} (schedules unavailable)",
    )
