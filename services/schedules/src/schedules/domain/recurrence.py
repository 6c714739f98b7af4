"""Recurring entries: the local dates an RRULE chooses from a first date, less skipped dates
(EXDATE), plus added ones (RDATE), expanded by python-dateutil's rruleset.

A rule chooses dates, never times: the entry's own local start and end (or all day) apply on each
chosen date. So the rule is expanded from its first date at midnight and UNTIL counts by date:
`UNTIL=20260320` makes 2026-03-20 the last date the rule may choose. BYHOUR, BYMINUTE and BYSECOND
choose times; the API refuses them (`canonical_rule`) and the expansion ignores them in rules
stored before that. Every reader (engine, loader, conflict guard, calendar) calls `entry_dates`.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Protocol
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset, rrulestr

MAX_DATES = 366  # skipped or added dates per entry
HORIZON = timedelta(days=5 * 366)  # a yearly rule that can occur at all does within five years
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# Parts RFC 5545 marks N/A for a frequency (dateutil would take them, meaning something else).
NOT_WITH = {
    "DAILY": ("BYWEEKNO", "BYYEARDAY"),
    "WEEKLY": ("BYWEEKNO", "BYYEARDAY", "BYMONTHDAY"),
    "MONTHLY": ("BYWEEKNO", "BYYEARDAY"),
}
ONE_VALUE = (
    "rrule takes one RRULE value such as FREQ=WEEKLY;BYDAY=MO (an RRULE: prefix is optional); "
    "give the first date as dtstart and skipped or added dates as exdates or rdates"
)
_PART = re.compile(r"^[A-Z]+=[^;=\s]+$")
_NOT_ONE_VALUE = re.compile(r"[\x00-\x1f\x7f]|DTSTART|EXDATE|RDATE")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


@dataclass(frozen=True, slots=True)
class Recurrence:
    """The dates `rule` chooses from `dtstart` on, without `exdates`, with `rdates` (local)."""

    rule: str
    dtstart: date
    exdates: frozenset[date] = frozenset()
    rdates: frozenset[date] = frozenset()


class Dated(Protocol):
    """An entry on one local date (`on`) or on the dates of a recurrence."""

    @property
    def on(self) -> date | None: ...

    @property
    def recurrence(self) -> Recurrence | None: ...


class RecurrenceError(ValueError):
    """A rule the API refuses; `code` names the rule broken."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


def entry_dates(entry: Dated, first: date, last: date) -> tuple[date, ...]:
    """The dates in `[first, last]` the entry applies to, in order."""
    if entry.recurrence is None:
        return (entry.on,) if entry.on is not None and first <= entry.on <= last else ()
    return recurrence_dates(entry.recurrence, first, last)


@lru_cache(maxsize=4096)
def recurrence_dates(recurrence: Recurrence, first: date, last: date) -> tuple[date, ...]:
    """Memoised, as parsing an RRULE costs more than the rest of a day's rules."""
    rule, start = date_rule(recurrence.rule), _midnight(recurrence.dtstart)
    chosen = rrulestr(rule, dtstart=start, forceset=True)
    assert isinstance(chosen, rruleset)  # forceset: one rule becomes a set EXDATE/RDATE extend
    for day in recurrence.exdates:
        chosen.exdate(_midnight(day))
    for day in recurrence.rdates:
        chosen.rdate(_midnight(day))
    found = chosen.between(_midnight(first), datetime.combine(last, time.max), inc=True)
    return tuple(sorted({occurrence.date() for occurrence in found}))


@lru_cache(maxsize=4096)
def date_rule(rule: str) -> str:
    """The rule as dates: no RRULE: prefix, no time parts, UNTIL cut to the date it names."""
    kept = []
    for part in rule.removeprefix("RRULE:").split(";"):
        name, _, value = part.partition("=")
        if name in TIME_PARTS:
            continue
        kept.append(f"UNTIL={value[:8]}" if name == "UNTIL" else part)
    return ";".join(kept)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0))


def canonical_rule(rule: str, dtstart: date, zones: Collection[ZoneInfo]) -> str:
    """The rule as stored and published, or `RecurrenceError`: one RRULE value of dates from
    DAILY to YEARLY, no time parts, UNTIL as the last local date, choosing a date within five
    years. An UNTIL in UTC (`Z`) counts on its local date in `zones` (the zones the entry's
    times are read in), which must agree; a local UNTIL date-time counts on its date."""
    parts = rule.removeprefix("RRULE:").split(";")
    # Lines, control characters, DTSTART/EXDATE/RDATE: the fields hold those, not the rule.
    if _NOT_ONE_VALUE.search(rule) or not all(_PART.match(part) for part in parts):
        raise RecurrenceError("invalid_rrule", ONE_VALUE)
    named = dict(part.split("=", 1) for part in parts)
    if named.get("FREQ") not in FREQUENCIES:
        allowed = ", ".join(FREQUENCIES)
        raise RecurrenceError("unsupported_frequency", f"a rule recurs by date: FREQ is {allowed}")
    if times := [name for name in TIME_PARTS if name in named]:
        raise RecurrenceError(
            "rrule_chooses_times",
            f"the rule chooses dates and the entry's own times apply on each; leave out "
            f"{', '.join(times)}",
        )
    if not named.get("INTERVAL", "1").isdigit() or int(named.get("INTERVAL", "1")) < 1:
        # dateutil never returns from INTERVAL=0: it steps by nothing, forever.
        raise RecurrenceError("invalid_rrule", "INTERVAL is a whole number of at least 1")
    if "COUNT" in named and "UNTIL" in named:
        raise RecurrenceError("invalid_rrule", "give COUNT or UNTIL, not both (RFC 5545)")
    if "UNTIL" in named:
        until = _until_date(named["UNTIL"], zones)
        parts = [f"UNTIL={until:%Y%m%d}" if p.startswith("UNTIL=") else p for p in parts]
    if misplaced := [p for p in NOT_WITH.get(named["FREQ"], ()) if p in named]:
        raise RecurrenceError(
            "invalid_rrule",
            f"{', '.join(misplaced)} cannot go with FREQ={named['FREQ']} (RFC 5545)",
        )
    canonical = ";".join(parts)
    try:
        chosen = _chooses_a_date(parts, dtstart)
    except (ValueError, TypeError, OverflowError) as exc:
        raise RecurrenceError("invalid_rrule", f"the RRULE does not parse: {exc}") from None
    if not chosen:
        raise RecurrenceError("empty_rrule", "the RRULE chooses no date within five years")
    return canonical


def _chooses_a_date(parts: list[str], dtstart: date) -> bool:
    """Whether the rule (UNTIL already a date) chooses a date within HORIZON of `dtstart`.

    dateutil seeks a rule's next date up to year 9999: seconds of work for a rule that never
    occurs (FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31). The Gregorian calendar repeats every 400
    years (146 097 days, whole weeks), so the same rule is asked from the same date 400·k years
    later, where that search ends within about 400 years: the same answer, bounded work."""
    years = -(-(MAXYEAR - 410 - dtstart.year) // 400) * 400
    late = dtstart.replace(year=dtstart.year + years)
    moved = []
    for part in parts:
        if part.startswith("UNTIL="):
            until = int(part[6:10]) + years
            if until > MAXYEAR:
                continue  # it ends after the horizon: no matter here
            part = f"UNTIL={until}{part[10:]}"
        moved.append(part)
    return bool(recurrence_dates(Recurrence(";".join(moved), late), late, late + HORIZON))


def _until_date(value: str, zones: Collection[ZoneInfo]) -> date:
    """The last local date an UNTIL value names (see `canonical_rule`)."""
    match = _UNTIL.match(value)
    if match is None:
        raise RecurrenceError("invalid_rrule", "UNTIL is a date (UNTIL=20271231)")
    try:
        day = datetime.strptime(match[1], "%Y%m%d").date()
        if not match[3]:
            return day
        instant = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        local = {instant.astimezone(zone).date() for zone in zones} or {day}
    except (ValueError, OverflowError):
        raise RecurrenceError("invalid_rrule", "UNTIL is a date (UNTIL=20271231)") from None
    if len(local) > 1:
        raise RecurrenceError(
            "ambiguous_until",
            f"UNTIL={value} falls on different local dates at the entry's locations "
            f"({', '.join(sorted(map(str, local)))}); give UNTIL as the last local date",
        )
    return local.pop()
