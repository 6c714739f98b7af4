"""Calendars and their events, with the change log incremental sync reads.

Every write, through the API or the test's practitioner, goes through :class:`Calendar`'s
``insert``/``update``/``delete``: each gives the event a new etag and ``updated`` and a new
position in the calendar's change log (``seq``), which sync tokens point into.
"""

from __future__ import annotations

import base64
import copy
import itertools
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from clinic_testkit.google_calendar import times
from clinic_testkit.google_calendar.errors import (
    GoogleApiError,
    bad_request,
    not_found,
    required,
)
from clinic_testkit.google_calendar.times import EventTime

Event = dict[str, Any]

_EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"

# Fields of the Event resource a client may write (the rest are read-only or immutable).
_WRITABLE = frozenset(
    {
        "anyoneCanAddSelf",
        "attachments",
        "attendees",
        "attendeesOmitted",
        "colorId",
        "description",
        "end",
        "endTimeUnspecified",
        "extendedProperties",
        "guestsCanInviteOthers",
        "guestsCanModify",
        "guestsCanSeeOtherGuests",
        "location",
        "reminders",
        "recurrence",
        "sequence",
        "source",
        "start",
        "status",
        "summary",
        "transparency",
        "visibility",
    }
)
# Changing one of these makes the event's iCalendar SEQUENCE go up.
_SEQUENCED = ("start", "end", "recurrence", "status", "location")
_STATUSES = ("confirmed", "tentative", "cancelled")
_RESPONSES = ("needsAction", "declined", "tentative", "accepted")

_etags = itertools.count(1_700_000_000_000_000)


def new_etag() -> str:
    return f'"{next(_etags)}"'


def random_event_id() -> str:
    return "".join(secrets.choice(_BASE32HEX) for _ in range(26))


def opaque_token() -> str:
    """A token that looks like Google's (base64 of bytes), e.g. for page and sync tokens."""
    return base64.urlsafe_b64encode(secrets.token_bytes(18)).decode()


@dataclass
class StoredEvent:
    body: Event  # the resource without kind/etag; start/end etc. as given (validated)
    etag: str
    seq: int  # position of its last change in the calendar's change log
    order: int  # creation order, the list's stable default order

    @property
    def id(self) -> str:
        return str(self.body["id"])

    @property
    def cancelled(self) -> bool:
        return self.body.get("status") == "cancelled"

    @property
    def recurring(self) -> bool:
        return bool(self.body.get("recurrence"))

    def start(self) -> EventTime:
        return times.parse_event_time(self.body["start"], "start", recurring=False)

    def end(self) -> EventTime:
        return times.parse_event_time(self.body["end"], "end", recurring=False)


@dataclass
class ListQuery:
    """What an ``events.list`` asks for, after validation."""

    single_events: bool = False
    show_deleted: bool = False
    time_min: datetime | None = None
    time_max: datetime | None = None
    private: Mapping[str, str] = field(default_factory=dict)
    shared: Mapping[str, str] = field(default_factory=dict)
    ical_uid: str | None = None
    q: str | None = None
    updated_min: datetime | None = None
    order_by: str | None = None
    since_seq: int | None = None  # incremental: changes after this seq
    time_zone: str | None = None

    def fingerprint(self) -> tuple[Any, ...]:
        """The parameters a page token is bound to (not the sync token: pages may omit it)."""
        return (
            self.single_events,
            self.show_deleted,
            self.time_min,
            self.time_max,
            tuple(sorted(self.private.items())),
            tuple(sorted(self.shared.items())),
            self.ical_uid,
            self.q,
            self.updated_min,
            self.order_by,
            self.time_zone,
        )


ChangeListener = Callable[["Calendar"], None]


class Calendar:
    """One calendar: its events, its change log position and who owns it."""

    def __init__(
        self,
        calendar_id: str,
        owner: str,
        summary: str,
        time_zone: str,
        *,
        primary: bool,
        now: Callable[[], datetime],
        html_base: str,
        on_change: ChangeListener,
        recurrence_horizon: timedelta,
    ) -> None:
        self.id = calendar_id
        self.owner = owner
        self.summary = summary
        self.time_zone = time_zone
        self.primary = primary
        self.resource_id = opaque_token().rstrip("=")[:27]
        self.events: dict[str, StoredEvent] = {}
        self.seq = 0
        self._order = itertools.count()
        self._now = now
        self._html_base = html_base
        self._on_change = on_change
        self.horizon = recurrence_horizon
        self.updated = now()
        self.etag = new_etag()

    # -- writes -------------------------------------------------------------------------------

    def _changed(self, stored: StoredEvent) -> None:
        self.seq += 1
        stored.seq = self.seq
        stored.etag = new_etag()
        self.updated = self._now()
        self.etag = new_etag()
        self._on_change(self)

    def insert(
        self, body: Mapping[str, Any], actor: str, *, organizer: str | None = None
    ) -> StoredEvent:
        """Create an event as ``actor``; ``organizer`` another account for an invitation."""
        event_id = body.get("id")
        if event_id is None:
            event_id = random_event_id()
            while event_id in self.events:
                event_id = random_event_id()
        elif not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
            raise bad_request("Invalid resource id value.")
        elif event_id in self.events:
            raise GoogleApiError(409, "duplicate", "The requested identifier already exists.")
        fields = {k: copy.deepcopy(v) for k, v in body.items() if k in _WRITABLE}
        now = times.format_updated(self._now())
        self._validate(fields)
        sequence = fields.pop("sequence", 0)
        stored_body: Event = {
            "id": event_id,
            "status": "confirmed",
            **fields,
            "htmlLink": self._html_link(event_id),
            "created": now,
            "updated": now,
            "creator": _person(organizer or actor, self.owner),
            "organizer": _person(organizer or self.id, self.owner if self.primary else self.id),
            "iCalUID": body.get("iCalUID") or f"{event_id}@google.com",
            "sequence": sequence,
            "reminders": fields.get("reminders", {"useDefault": True}),
            "eventType": "default",
        }
        self._normalize_attendees(stored_body)
        stored = StoredEvent(stored_body, "", 0, next(self._order))
        self.events[event_id] = stored
        self._changed(stored)
        return stored

    def update(
        self,
        event_id: str,
        body: Mapping[str, Any],
        *,
        patch: bool,
        if_match: str | None = None,
    ) -> StoredEvent:
        stored = self.get_or_materialize(event_id)
        _check_if_match(stored, if_match)
        incoming = {k: copy.deepcopy(v) for k, v in body.items() if k in _WRITABLE}
        current = {k: v for k, v in stored.body.items() if k in _WRITABLE}
        if patch:
            merged = _merge(current, incoming)
        else:
            merged = incoming
            if "start" not in merged or "end" not in merged:
                raise required("Missing end time." if "start" in merged else "Missing start time.")
            merged.setdefault("status", "confirmed")
        if stored.body.get("recurringEventId"):
            merged.pop("recurrence", None)  # an instance cannot become a series
        self._validate(merged)
        sequence = stored.body.get("sequence", 0)
        if "sequence" in merged and merged["sequence"] != sequence:
            if merged["sequence"] < sequence:
                raise bad_request(
                    "Invalid sequence value. The specified sequence number is below the current "
                    "sequence number of the resource."
                )
            sequence = merged["sequence"]
        elif any(merged.get(k) != stored.body.get(k) for k in _SEQUENCED):
            sequence += 1
        merged["sequence"] = sequence
        readonly = {k: v for k, v in stored.body.items() if k not in _WRITABLE}
        stored.body = {**readonly, **merged, "updated": times.format_updated(self._now())}
        if "reminders" not in stored.body:
            stored.body["reminders"] = {"useDefault": True}
        self._normalize_attendees(stored.body)
        self._changed(stored)
        return stored

    def delete(self, event_id: str, *, if_match: str | None = None) -> StoredEvent:
        stored = self.get_or_materialize(event_id)
        _check_if_match(stored, if_match)
        if stored.cancelled:
            raise GoogleApiError(410, "deleted", "Resource has been deleted")
        self._cancel(stored)
        if stored.recurring:  # the series' exceptions go with it
            for other in list(self.events.values()):
                if other.body.get("recurringEventId") == stored.id and not other.cancelled:
                    self._cancel(other)
        return stored

    def _cancel(self, stored: StoredEvent) -> None:
        stored.body["status"] = "cancelled"
        stored.body["sequence"] = stored.body.get("sequence", 0) + 1
        stored.body["updated"] = times.format_updated(self._now())
        self._changed(stored)

    # -- reads --------------------------------------------------------------------------------

    def get_or_materialize(self, event_id: str) -> StoredEvent:
        """A stored event, or an instance of a series stored as its own exception from now on."""
        stored = self.events.get(event_id)
        if stored is not None:
            return stored
        instance = self.generated_instance(event_id)
        if instance is None:
            raise not_found()
        master = self.events[instance["recurringEventId"]]
        stored = StoredEvent(instance, master.etag, master.seq, next(self._order))
        self.events[event_id] = stored
        return stored

    def generated_instance(self, event_id: str) -> Event | None:
        """The instance an id like ``<seriesId>_20261210T020000Z`` names, if the series has it."""
        series_id, _, suffix = event_id.rpartition("_")
        master = self.events.get(series_id)
        if master is None or not master.recurring or not suffix:
            return None
        start = master.start()
        tz = start.tz or self.time_zone
        try:
            if start.all_day:
                wanted = times.EventTime(datetime.strptime(suffix, "%Y%m%d").date(), None, None)
            else:
                moment = datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                wanted = times.EventTime(None, moment, None)
        except ValueError:
            return None
        limit = wanted.start_of(tz) + timedelta(seconds=1)
        for occurrence in times.occurrences(
            master.body["recurrence"], start, self.time_zone, limit
        ):
            if times.instance_suffix(occurrence) == suffix:
                return self._instance_body(master, occurrence)
        return None

    def _instance_body(self, master: StoredEvent, original: EventTime) -> Event:
        start, end = master.start(), master.end()
        body = {k: copy.deepcopy(v) for k, v in master.body.items() if k != "recurrence"}
        tz = start.tz or self.time_zone
        body["id"] = f"{master.id}_{times.instance_suffix(original)}"
        body["recurringEventId"] = master.id
        body["originalStartTime"] = original.to_json(tz)
        body["start"] = original.to_json(tz)
        body["end"] = times.shift(start, end, original).to_json(end.tz or tz)
        return body

    def instances(
        self, master: StoredEvent, before: datetime | None
    ) -> list[tuple[Event, StoredEvent]]:
        """Generated instances of a series (not those stored as exceptions), with the master."""
        limit = before or (self._now() + self.horizon)
        out = []
        for occurrence in times.occurrences(
            master.body["recurrence"], master.start(), self.time_zone, limit
        ):
            body = self._instance_body(master, occurrence)
            if body["id"] not in self.events:
                out.append((body, master))
        return out

    def list(self, query: ListQuery) -> list[tuple[Event, str, bool]]:
        """The items of an ``events.list``: (body, etag, minimal) in the list's order."""
        incremental = query.since_seq is not None
        rows: list[tuple[Event, StoredEvent]] = []
        for stored in sorted(self.events.values(), key=lambda s: s.order):
            if incremental and stored.seq <= (query.since_seq or 0):
                continue
            if stored.recurring and query.single_events:
                window_end = None if incremental else query.time_max
                for body, master in self.instances(stored, window_end):
                    rows.append((body, master))
            else:
                rows.append((stored.body, stored))
        out: list[tuple[Event, str, bool]] = []
        for body, stored in rows:
            cancelled = body.get("status") == "cancelled"
            is_exception = bool(body.get("recurringEventId"))
            if cancelled:
                keep = (
                    query.show_deleted
                    or incremental
                    or query.updated_min is not None
                    or (is_exception and not query.single_events)
                )
                if not keep:
                    continue
            if not incremental and not self._matches(body, query):
                continue
            minimal = cancelled and not query.show_deleted
            out.append((body, stored.etag, minimal))
        if query.order_by == "startTime":
            out.sort(key=lambda row: self._start_of(row[0]))
        elif query.order_by == "updated":
            out.sort(key=lambda row: str(row[0].get("updated", "")))
        return out

    def _start_of(self, body: Event) -> datetime:
        return times.parse_event_time(body["start"], "start", recurring=False).start_of(
            self.time_zone
        )

    def _matches(self, body: Event, query: ListQuery) -> bool:
        private = body.get("extendedProperties", {}).get("private", {})
        shared = body.get("extendedProperties", {}).get("shared", {})
        if any(private.get(k) != v for k, v in query.private.items()):
            return False
        if any(shared.get(k) != v for k, v in query.shared.items()):
            return False
        if query.ical_uid is not None and body.get("iCalUID") != query.ical_uid:
            return False
        if query.updated_min is not None:
            updated = datetime.fromisoformat(str(body["updated"]).replace("Z", "+00:00"))
            if updated < query.updated_min:
                return False
        if query.q:
            haystack = " ".join(
                str(body.get(k, "")) for k in ("summary", "description", "location")
            ).lower()
            if not all(term in haystack for term in query.q.lower().split()):
                return False
        if query.time_min is None and query.time_max is None:
            return True
        return self._overlaps(body, query.time_min, query.time_max)

    def _overlaps(self, body: Event, time_min: datetime | None, time_max: datetime | None) -> bool:
        start = times.parse_event_time(body["start"], "start", recurring=False)
        end = times.parse_event_time(body["end"], "end", recurring=False)
        if body.get("recurrence"):
            limit = time_max or (self._now() + self.horizon)
            for occurrence in times.occurrences(body["recurrence"], start, self.time_zone, limit):
                occ_end = times.shift(start, end, occurrence)
                if time_min is None or occ_end.start_of(self.time_zone) > time_min:
                    return True
            return False
        tz = self.time_zone
        if time_min is not None and end.start_of(tz) <= time_min:
            return False
        return not (time_max is not None and start.start_of(tz) >= time_max)

    # -- helpers ------------------------------------------------------------------------------

    def _validate(self, fields: dict[str, Any]) -> None:
        recurring = bool(fields.get("recurrence"))
        start = times.parse_event_time(fields.get("start"), "start", recurring=recurring)
        end = times.parse_event_time(fields.get("end"), "end", recurring=recurring)
        if start.all_day != end.all_day:
            raise bad_request("Start and end times must either both be date or both be dateTime.")
        if end.start_of(self.time_zone) < start.start_of(self.time_zone):
            raise GoogleApiError(400, "timeRangeEmpty", "The specified time range is empty.")
        if recurring:
            if not isinstance(fields["recurrence"], list):
                raise bad_request("Invalid recurrence rule.")
            times.recurrence_set(fields["recurrence"], start, self.time_zone)
        status = fields.get("status", "confirmed")
        if status not in _STATUSES:
            raise bad_request(f"Invalid value for status: {status}")
        transparency = fields.get("transparency", "opaque")
        if transparency not in ("opaque", "transparent"):
            raise bad_request(f"Invalid value for transparency: {transparency}")
        props = fields.get("extendedProperties", {})
        if not isinstance(props, dict) or any(
            not isinstance(props.get(kind, {}), dict)
            or any(not isinstance(v, str) for v in props.get(kind, {}).values())
            for kind in ("private", "shared")
        ):
            raise bad_request("Invalid extended properties.")
        for attendee in fields.get("attendees") or []:
            if not isinstance(attendee, dict) or not attendee.get("email"):
                raise required("Missing attendee email.")
            if attendee.get("responseStatus", "needsAction") not in _RESPONSES:
                raise bad_request(f"Invalid attendee response status: {attendee}")
        if "sequence" in fields and not isinstance(fields["sequence"], int):
            raise bad_request("Invalid sequence value.")

    def _normalize_attendees(self, body: Event) -> None:
        attendees = body.get("attendees")
        if not attendees:
            body.pop("attendees", None)
            return
        organizer = body.get("organizer", {}).get("email")
        for attendee in attendees:
            attendee.setdefault("responseStatus", "needsAction")
            attendee.pop("self", None)
            attendee.pop("organizer", None)
            if attendee["email"] == self.owner:
                attendee["self"] = True
            if attendee["email"] == organizer:
                attendee["organizer"] = True

    def _html_link(self, event_id: str) -> str:
        eid = base64.urlsafe_b64encode(f"{event_id} {self.id}".encode()).decode().rstrip("=")
        return f"{self._html_base}/calendar/event?eid={eid}"

    def render(
        self, body: Event, etag: str, *, minimal: bool = False, tz: str | None = None
    ) -> Event:
        """The resource as the API answers it."""
        if minimal:
            out: Event = {"kind": "calendar#event", "etag": etag, "id": body["id"]}
            out["status"] = "cancelled"
            if "recurringEventId" in body:
                out["recurringEventId"] = body["recurringEventId"]
                out["originalStartTime"] = self._render_time(body["originalStartTime"], tz)
            return out
        out = {"kind": "calendar#event", "etag": etag}
        for key, value in body.items():
            if key in ("start", "end", "originalStartTime"):
                out[key] = self._render_time(value, tz)
            elif key == "transparency" and value == "opaque":
                continue  # Google leaves the default out
            elif key == "visibility" and value == "default":
                continue
            else:
                out[key] = copy.deepcopy(value)
        return out

    def _render_time(self, value: dict[str, Any], tz: str | None) -> dict[str, Any]:
        parsed = times.parse_event_time(value, "start", recurring=False)
        return parsed.to_json(tz or parsed.tz or self.time_zone)


def _person(email: str, calendar_email: str) -> dict[str, Any]:
    return {"email": email, "self": True} if email == calendar_email else {"email": email}


def _check_if_match(stored: StoredEvent, if_match: str | None) -> None:
    if if_match is None:
        return
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags or stored.etag in tags:
        return
    raise GoogleApiError(
        412,
        "conditionNotMet",
        "Precondition Failed",
        location="If-Match",
        location_type="header",
    )


def _merge(current: dict[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """Google's patch semantics: objects merge key by key, arrays and times are replaced,
    ``null`` clears a field."""
    out = copy.deepcopy(current)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif (
            isinstance(value, dict)
            and isinstance(out.get(key), dict)
            and key not in ("start", "end")
        ):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
