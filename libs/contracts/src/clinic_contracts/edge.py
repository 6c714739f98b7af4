"""What every API of the platform accepts at its edge: text without control characters, and
dates and instants within the years the platform supports.

PostgreSQL refuses NUL in text, and a date near the calendar's ends overflows as soon as a
service adds a day or a zone offset to it; both must be refused as a 422 naming the field before
any service reads them. One rule for every service, so a value one accepts another can store.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field
from pydantic_core import PydanticCustomError

from clinic_contracts.primitives import EmailAddress

EARLIEST_DATE = date(1970, 1, 1)
LATEST_DATE = date(2199, 12, 31)
EARLIEST_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
SUPPORTED = f"between {EARLIEST_DATE} and {LATEST_DATE}"

# C0 controls and DEL. Tab, line feed and carriage return are text in multi-line fields only.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control(value: str, pattern: re.Pattern[str], allowed: str) -> str:
    found = pattern.search(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "must not contain control characters{allowed} (found U+{code} at position {position})",
            {"allowed": allowed, "code": f"{ord(found.group()):04X}", "position": found.start()},
        )
    return value


def _single_line(value: str) -> str:
    return _refuse_control(value, _CONTROL, "")


def _multi_line(value: str) -> str:
    return _refuse_control(value, _CONTROL_MULTILINE, " other than tab and line breaks")


PlainText = Annotated[
    str,
    AfterValidator(_single_line),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u001f\u007f]*$"}),
]
"""One line of text: names, reasons, addresses; no control characters (NUL included)."""

MultilineText = Annotated[
    str,
    AfterValidator(_multi_line),
    Field(json_schema_extra={"pattern": r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"}),
]
"""Text of several lines (templates, bios): tab, LF and CR allowed, other controls refused."""


# The e-mail pattern lets any non-blank character through, NUL included. The edge rule is checked
# on its own, so the documented pattern stays the e-mail one and the event schemas are unchanged.
Email = Annotated[EmailAddress, AfterValidator(_single_line)]
"""An e-mail address as requests give it: the contract's pattern, and no control characters."""


def _supported_date(value: date) -> date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise PydanticCustomError("date_out_of_range", "must be a date " + SUPPORTED)
    return value


def _supported_instant(value: datetime) -> datetime:
    if not EARLIEST_INSTANT <= value < LATEST_INSTANT:
        raise PydanticCustomError("instant_out_of_range", "must be an instant " + SUPPORTED)
    return value


SupportedDate = Annotated[
    date,
    AfterValidator(_supported_date),
    Field(description=f"A calendar date {SUPPORTED}."),
]
"""A date the platform can compute with: 1970-01-01 to 2199-12-31."""

SupportedInstant = Annotated[
    AwareDatetime,
    AfterValidator(_supported_instant),
    Field(description=f"An instant with its UTC offset, {SUPPORTED} (UTC)."),
]
"""An aware instant within the supported years; naive datetimes are refused."""


def _supported_month(value: str) -> str:
    if not EARLIEST_DATE.year <= int(value[:4]) <= LATEST_DATE.year:
        raise PydanticCustomError("date_out_of_range", "must be a month " + SUPPORTED)
    return value


SupportedMonth = Annotated[
    str,
    Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"]),
    AfterValidator(_supported_month),
]
"""A calendar month as `YYYY-MM` within the supported years."""
