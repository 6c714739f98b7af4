"""Validating an exception's RRULE with the same dateutil expansion the engine uses."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import NoReturn

from pydantic import TypeAdapter, ValidationError

from clinic_contracts.primitives import RecurrenceRule
from clinic_platform.errors import RuleViolation
from schedules.domain.model import MIDNIGHT
from schedules.domain.rules import recurrence_dates

_CONTRACT = TypeAdapter(RecurrenceRule)  # what the events may carry
_FREQUENCY = re.compile(r"(?:^|;|:)FREQ=([A-Z]+)")
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
HORIZON = timedelta(days=5 * 366)  # a yearly rule that can occur at all does within five years


def check_rrule(rule: str, dtstart: date, start: time | None) -> None:
    """422 naming `rrule` unless it is one RFC 5545 RRULE choosing dates, as the engine reads it."""
    try:
        _CONTRACT.validate_python(rule)
    except ValidationError:
        _invalid("not one RFC 5545 RRULE value such as FREQ=WEEKLY;BYDAY=MO", "invalid_rrule")
    frequency = _FREQUENCY.search(rule)
    if frequency is None or frequency[1] not in FREQUENCIES:
        # Finer frequencies choose the same dates many times over and only cost time.
        allowed = ", ".join(FREQUENCIES)
        _invalid(f"an exception recurs by date: FREQ is one of {allowed}", "unsupported_frequency")
    try:
        dates = recurrence_dates(
            rule, datetime.combine(dtstart, start or MIDNIGHT), dtstart, dtstart + HORIZON
        )
    except (ValueError, TypeError, OverflowError) as exc:
        _invalid(f"the RRULE does not parse: {exc}", "invalid_rrule")
    if not dates:
        _invalid("the RRULE chooses no date within five years of dtstart", "empty_rrule")


def _invalid(detail: str, code: str) -> NoReturn:
    raise RuleViolation(detail, code=code, field="rrule")
