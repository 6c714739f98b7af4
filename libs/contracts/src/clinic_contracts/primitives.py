"""Reusable field types: UTC instants, IANA zones, contact formats, money and time ranges."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)


def _to_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""An instant: naive datetimes are rejected, aware ones are converted to UTC."""


def _naive_time(value: dt.time) -> dt.time:
    # Local rule times get their zone from the location; an offset here would be ambiguous.
    if value.tzinfo is not None:
        raise ValueError("a local wall-clock time must not carry a UTC offset")
    return value


LocalTime = Annotated[dt.time, AfterValidator(_naive_time)]
"""A wall-clock time in the location's zone, without offset."""


_HOST_DEPENDENT = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_zone(name: str) -> str:
    # Some hosts list "localtime" (a different zone per machine) among the zones; refuse it.
    if name not in _zone_names() or name in _HOST_DEPENDENT:
        raise ValueError(f"{name!r} is not an IANA time zone name (e.g. 'Asia/Taipei')")
    return name


IanaTimezone = Annotated[
    str,
    AfterValidator(_check_zone),
    WithJsonSchema({"type": "string", "minLength": 1, "examples": ["Asia/Taipei"]}),
]
"""An IANA time zone name such as "Europe/Zurich", checked against the tz database."""

E164Phone = Annotated[str, Field(pattern=r"^\+[1-9]\d{1,14}$", examples=["+886912345678"])]
EmailAddress = Annotated[
    str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254, examples=["a@example.org"])
]
LanguageTag = Annotated[
    str, Field(pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$", examples=["en", "zh-Hant"])
]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", examples=["TWD", "EUR"])]

# Decimals travel as strings so no consumer ever rounds a price through a float.
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=12, decimal_places=4),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,8}(\.\d{1,4})?$", "examples": ["45.00"]}),
]

_RRULE = re.compile(
    r"^(RRULE:)?([A-Z]+=[^;=]+;)*FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY"
    r"|MONTHLY|YEARLY)(;[A-Z]+=[^;=]+)*$"
)
RecurrenceRule = Annotated[
    str, Field(pattern=_RRULE.pattern, examples=["FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20251231"])
]
"""An RFC 5545 RRULE value; services expand it with python-dateutil."""


class ContractModel(BaseModel):
    """Base of every contract model: immutable, and tolerant of fields added in later versions."""

    # extra="ignore": a consumer built against v1 must still parse a message from a producer that
    # already added an optional field (forward compatibility); producers are held by typing.
    model_config = ConfigDict(frozen=True, extra="ignore")


_Ordered = TypeVar("_Ordered", dt.datetime, dt.date, dt.time)


def ensure_ordered(start: _Ordered, end: _Ordered, start_name: str, end_name: str) -> None:
    """Raise a ValueError naming both fields unless ``end`` is strictly after ``start``."""
    if end <= start:
        raise ValueError(f"{end_name} ({end}) must be after {start_name} ({start})")


class Weekday(StrEnum):
    """Day of the week, by name so nobody has to guess whether 0 means Sunday or Monday."""

    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"


class UtcInterval(ContractModel):
    """A half-open interval [start, end) of UTC instants."""

    start: UtcDatetime = Field(description="First instant of the interval (inclusive), UTC.")
    end: UtcDatetime = Field(description="End of the interval (exclusive), UTC; after start.")

    @model_validator(mode="after")
    def _end_after_start(self) -> UtcInterval:
        ensure_ordered(self.start, self.end, "start", "end")
        return self


class LocalTimeRange(ContractModel):
    """A wall-clock range [start_time, end_time) within one local day (never across midnight)."""

    start_time: LocalTime = Field(description="Local wall-clock start (inclusive), e.g. 09:00.")
    end_time: LocalTime = Field(description="Local wall-clock end (exclusive); after start_time.")

    @model_validator(mode="after")
    def _end_after_start(self) -> LocalTimeRange:
        ensure_ordered(self.start_time, self.end_time, "start_time", "end_time")
        return self
