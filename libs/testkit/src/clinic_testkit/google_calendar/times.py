"""Times as the Calendar API writes them: RFC 3339 instants, ``EventDateTime``, recurrence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rruleset, rrulestr

from clinic_testkit.google_calendar.errors import GoogleApiError, bad_request, required

#: At most this many instances of one recurring event are expanded (Google caps expansion too).
MAX_INSTANCES = 2500


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_rfc3339(value: str, parameter: str) -> datetime:
    """A query parameter such as ``timeMin``: an RFC 3339 timestamp with a mandatory offset."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise GoogleApiError(400, "badRequest", "Bad Request", location=parameter)
    return parsed


def format_instant(value: datetime, tz: str) -> str:
    """``dateTime`` as Google writes it: in the zone asked for, seconds precision, an offset."""
    local = value.astimezone(ZoneInfo(tz)).replace(microsecond=0)
    text = local.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def format_updated(value: datetime) -> str:
    """``updated``/``created``: UTC with milliseconds, e.g. ``2026-12-03T15:49:24.123Z``."""
    utc = value.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class EventTime:
    """A parsed ``EventDateTime``: an all-day ``date`` or an instant, with its zone if given."""

    day: date | None
    instant: datetime | None
    tz: str | None

    @property
    def all_day(self) -> bool:
        return self.day is not None

    def start_of(self, calendar_tz: str) -> datetime:
        """The instant this time stands for (an all-day date: midnight in the calendar's zone)."""
        if self.instant is not None:
            return self.instant
        assert self.day is not None
        return datetime.combine(self.day, time(), ZoneInfo(self.tz or calendar_tz))

    def to_json(self, tz: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.day is not None:
            out["date"] = self.day.isoformat()
        else:
            assert self.instant is not None
            out["dateTime"] = format_instant(self.instant, tz)
        if self.tz:
            out["timeZone"] = self.tz
        return out


def parse_event_time(value: Any, field: str, *, recurring: bool) -> EventTime:
    """Validate ``start``/``end`` as Google does; raises the 400 Google answers."""
    if not isinstance(value, dict) or not ({"date", "dateTime"} & value.keys()):
        raise required(f"Missing {field} time.")
    tz = value.get("timeZone")
    if tz is not None and (not isinstance(tz, str) or not valid_zone(tz)):
        raise bad_request(f"Invalid time zone definition for {field} time.")
    if value.get("date") is not None and value.get("dateTime") is not None:
        raise bad_request(f"Invalid {field} time.")
    if value.get("date") is not None:
        try:
            day = date.fromisoformat(str(value["date"]))
        except ValueError:
            raise bad_request(f"Invalid {field} time.") from None
        return EventTime(day, None, tz)
    try:
        parsed = datetime.fromisoformat(str(value["dateTime"]))
    except ValueError:
        raise bad_request(f"Invalid {field} time.") from None
    if parsed.tzinfo is None:
        if tz is None:
            raise required(f"Missing time zone definition for {field} time.")
        parsed = parsed.replace(tzinfo=ZoneInfo(tz))
    if recurring and tz is None:
        raise required(f"Missing time zone definition for {field} time.")
    return EventTime(None, parsed.astimezone(UTC), tz)


# ---------------------------------------------------------------------------------------------
# Recurrence (RFC 5545 RRULE / EXRULE / RDATE / EXDATE lines, without DTSTART)

_PARAM_LINE = re.compile(r"^(?P<name>[A-Z]+)(?P<params>(;[^:]*)?):(?P<value>.*)$")
_UNTIL = re.compile(r"UNTIL=(\d{8})(T\d{6})?(Z)?", re.IGNORECASE)


def _invalid_recurrence() -> GoogleApiError:
    return bad_request("Invalid recurrence rule.")


def _rule_text(rule: str, start: EventTime, tz: str) -> str:
    """Make ``UNTIL`` comparable with DTSTART (dateutil wants UTC when DTSTART has a zone)."""
    match = _UNTIL.search(rule)
    if match is None or start.all_day:
        if match is not None and start.all_day:
            return _UNTIL.sub(f"UNTIL={match.group(1)}T235959", rule)
        return rule
    day, clock, zulu = match.groups()
    if zulu:
        return rule
    local = datetime.strptime(day + (clock or "T235959"), "%Y%m%dT%H%M%S")
    utc = local.replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)
    return _UNTIL.sub(f"UNTIL={utc:%Y%m%dT%H%M%S}Z", rule)


def _dates(params: str, value: str, start: EventTime, tz: str) -> list[datetime]:
    zone_name = tz
    for param in filter(None, params.split(";")):
        key, _, val = param.partition("=")
        if key.upper() == "TZID":
            if not valid_zone(val):
                raise _invalid_recurrence()
            zone_name = val
    out: list[datetime] = []
    for item in value.split(","):
        item = item.strip()
        try:
            if len(item) == 8:
                parsed = datetime.strptime(item, "%Y%m%d")
            elif item.endswith("Z"):
                parsed = datetime.strptime(item, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            else:
                parsed = datetime.strptime(item, "%Y%m%dT%H%M%S")
        except ValueError:
            raise _invalid_recurrence() from None
        if start.all_day:
            out.append(parsed.replace(tzinfo=None))
        elif len(item) == 8:
            # a date excludes the occurrence that starts that day
            assert start.instant is not None
            local_start = start.instant.astimezone(ZoneInfo(tz))
            out.append(datetime.combine(parsed.date(), local_start.timetz()))
        elif parsed.tzinfo is None:
            out.append(parsed.replace(tzinfo=ZoneInfo(zone_name)))
        else:
            out.append(parsed)
    return out


def recurrence_set(lines: list[str], start: EventTime, calendar_tz: str) -> rruleset:
    """The occurrence set of a recurring event; 400 ``invalid`` for a line Google refuses."""
    tz = start.tz or calendar_tz
    if start.all_day:
        assert start.day is not None
        dtstart = datetime.combine(start.day, time())
    else:
        assert start.instant is not None
        dtstart = start.instant.astimezone(ZoneInfo(tz))
    result = rruleset()
    has_rule = False
    for line in lines:
        if not isinstance(line, str):
            raise _invalid_recurrence()
        match = _PARAM_LINE.match(line.strip())
        if match is None:
            raise _invalid_recurrence()
        name, params, value = match.group("name"), match.group("params") or "", match["value"]
        try:
            if name in ("RRULE", "EXRULE"):
                parsed = rrulestr(_rule_text(value, start, tz), dtstart=dtstart)
                if not isinstance(parsed, rrule):
                    raise _invalid_recurrence()
                if name == "RRULE":
                    result.rrule(parsed)
                    has_rule = True
                else:
                    result.exrule(parsed)
            elif name == "EXDATE":
                for item in _dates(params, value, start, tz):
                    result.exdate(item)
            elif name == "RDATE":
                for item in _dates(params, value, start, tz):
                    result.rdate(item)
                has_rule = True
            else:
                raise _invalid_recurrence()
        except (ValueError, TypeError):
            raise _invalid_recurrence() from None
    if not has_rule:
        raise _invalid_recurrence()
    return result


def occurrences(
    lines: list[str], start: EventTime, calendar_tz: str, before: datetime
) -> list[EventTime]:
    """Occurrence starts (as ``EventTime`` in the event's zone) that begin before ``before``."""
    tz = start.tz or calendar_tz
    out: list[EventTime] = []
    for occurrence in recurrence_set(lines, start, calendar_tz):
        if start.all_day:
            event_time = EventTime(occurrence.date(), None, start.tz)
        else:
            event_time = EventTime(None, occurrence.astimezone(UTC), start.tz)
        if event_time.start_of(tz) >= before or len(out) >= MAX_INSTANCES:
            break
        out.append(event_time)
    return out


def instance_suffix(original: EventTime) -> str:
    """The part of an instance id after ``<recurringEventId>_``."""
    if original.day is not None:
        return original.day.strftime("%Y%m%d")
    assert original.instant is not None
    return original.instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def shift(start: EventTime, end: EventTime, new_start: EventTime) -> EventTime:
    """The end of an occurrence that starts at ``new_start``, keeping the series' duration."""
    if start.day is not None and end.day is not None and new_start.day is not None:
        return EventTime(new_start.day + (end.day - start.day), None, end.tz)
    assert start.instant is not None
    assert end.instant is not None
    assert new_start.instant is not None
    duration: timedelta = end.instant - start.instant
    return EventTime(None, new_start.instant + duration, end.tz)
