"""Fields of a rule that may recur: one RRULE value, and local dates it skips or adds.

The RRULE's own grammar (checked by the use case, which knows the zones) refuses every control
character with the accepted form, so it is not `PlainText`, whose message would not say it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import Field

from clinic_contracts.edge import SupportedDate
from clinic_platform.errors import RuleViolation
from schedules.api.rules.schemas import Strict
from schedules.domain.recurrence import MAX_DATES

RRULE = (
    "One RFC 5545 RRULE value choosing local dates from the first date (e.g. "
    "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231); FREQ DAILY to YEARLY, no BYHOUR/BYMINUTE/BYSECOND "
    "(the entry's own times apply on each date); UNTIL is the last local date."
)
SKIPPED = f"Local dates the rule chooses that are skipped (EXDATE); at most {MAX_DATES}."
ADDED = (
    f"Local dates added to those the rule chooses (RDATE), none before the first; at most "
    f"{MAX_DATES}."
)

Dates = list[SupportedDate]
# Examples share one first date (2027-01-04, a Monday) so every one of them is valid beside the
# others; they are fixed dates, so they never go stale (past dates are accepted).
FIRST_EXAMPLE = "2027-01-04"
RULE_EXAMPLE = "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20271231"


class Recurring(Strict):
    """A body whose rule may recur: `rrule`, with `exdates` and `rdates` only beside it."""

    rrule: str | None = Field(
        default=None, max_length=500, description=RRULE, examples=[RULE_EXAMPLE]
    )
    exdates: Dates = Field(
        default_factory=list,
        max_length=MAX_DATES,
        description=SKIPPED,
        examples=[["2027-04-05"]],
    )
    rdates: Dates = Field(
        default_factory=list,
        max_length=MAX_DATES,
        description=ADDED,
        examples=[["2027-04-09"]],
    )

    def skipped_and_added(self, first: dt.date) -> tuple[tuple[dt.date, ...], tuple[dt.date, ...]]:
        """`exdates` and `rdates` sorted, each once; 422 naming the field when one is given
        without `rrule` or before `first` (the rule's first date)."""
        return checked_dates(self.rrule, first, self.exdates, self.rdates)


def checked_dates(
    rule: str | None, first: dt.date, exdates: Sequence[dt.date], rdates: Sequence[dt.date]
) -> tuple[tuple[dt.date, ...], tuple[dt.date, ...]]:
    """See `Recurring.skipped_and_added`."""
    for name, dates in (("exdates", exdates), ("rdates", rdates)):
        if dates and rule is None:
            raise RuleViolation(f"{name} go with an rrule", code="dates_without_rrule", field=name)
        if early := sorted(day.isoformat() for day in dates if day < first):
            raise RuleViolation(
                f"{name} before the first date {first}: {', '.join(early)}",
                code="date_before_first",
                field=name,
                extra={"dates": early},
            )
    return tuple(sorted(set(exdates))), tuple(sorted(set(rdates)))
