"""Recurring series: an RRULE chooses local dates; each occurrence keeps its local wall time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

from booking.domain.errors import RuleViolation

MAX_OCCURRENCES = 104  # two years of weekly visits


@dataclass(frozen=True)
class Occurrence:
    """One occurrence: its index in the series and its UTC interval."""

    index: int
    start: datetime
    end: datetime


def expand(
    rule: str, first_local_start: datetime, zone: ZoneInfo, minutes: int
) -> list[Occurrence]:
    """Expand `rule` from a naive local start; a local time skipped by DST is left out."""
    try:
        recurrence = rrulestr(rule, dtstart=first_local_start.replace(tzinfo=None))
        starts = _bounded(recurrence)
    except (ValueError, TypeError) as exc:
        raise RuleViolation(str(exc), code="invalid_rrule", field="rrule") from None
    occurrences = []
    for index, local in enumerate(starts):
        instant = local.replace(tzinfo=zone)
        # A wall time that does not exist that day (spring forward) fails the round trip.
        if instant.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
            continue
        start = instant.astimezone(UTC)
        occurrences.append(Occurrence(index, start, start + timedelta(minutes=minutes)))
    if not occurrences:
        raise RuleViolation("the rule chooses no date", code="empty_series", field="rrule")
    return occurrences


def _bounded(starts: Iterable[datetime]) -> list[datetime]:
    found: list[datetime] = []
    for start in starts:
        if len(found) == MAX_OCCURRENCES:
            raise RuleViolation(
                f"a series has at most {MAX_OCCURRENCES} occurrences; add COUNT or UNTIL",
                code="too_many_occurrences",
                field="rrule",
            )
        found.append(start)
    return found
