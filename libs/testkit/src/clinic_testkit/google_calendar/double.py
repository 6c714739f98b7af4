"""The handle tests hold: start the double, play Google accounts and their owners, inject faults.

Everything here is thread-safe: the server runs in a background thread with its own event loop,
and every read or write of the state takes one lock, so a test (sync or async) can drive the
double while a service talks to it.
"""

from __future__ import annotations

import asyncio
import copy
import secrets
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import uvicorn

from clinic_testkit.google_calendar import discovery
from clinic_testkit.google_calendar.app import ApiCall, CalendarApi, TokenCall
from clinic_testkit.google_calendar.faults import Fault, Faults, InjectedFault
from clinic_testkit.google_calendar.oauth import (
    CALENDAR,
    ConsentError,
    OAuthClient,
    OAuthServer,
    Tokens,
)
from clinic_testkit.google_calendar.push import Channel, Push, PushDelivery
from clinic_testkit.google_calendar.store import Calendar, Event, StoredEvent

#: The organizer of invitations the practitioner receives (``add_event(declined=True)``).
INVITER = "organizer@example.org"


@dataclass(frozen=True)
class ChannelInfo:
    """A watch channel as the test sees it."""

    id: str
    resource_id: str
    resource_uri: str
    token: str | None
    address: str
    expiration: datetime
    calendar_id: str
    user: str
    stopped: bool
    expired: bool
    messages_sent: int


class GoogleCalendarDouble:
    """Google Calendar v3 and Google's OAuth 2.0 endpoints on a loopback port.

    Point the service at ``api_base_url`` (instead of ``https://www.googleapis.com/calendar/v3/``),
    ``token_url`` (``https://oauth2.googleapis.com/token``), ``revoke_url``
    (``https://oauth2.googleapis.com/revoke``) and ``authorize_url``
    (``https://accounts.google.com/o/oauth2/v2/auth``).
    """

    def __init__(
        self,
        *,
        allow_http_webhooks: bool = True,
        push_retries: int = 2,
        recurrence_horizon: timedelta = timedelta(days=730),
    ) -> None:
        self.lock = threading.RLock()
        self.allow_http_webhooks = allow_http_webhooks
        self.recurrence_horizon = recurrence_horizon
        self._offset = timedelta()
        self.oauth = OAuthServer(self.now)
        self.faults = Faults()
        self.accounts: dict[str, list[Calendar]] = {}
        self.channels_state: list[Channel] = []
        #: Exceptions the double raised while answering (its own bugs); the fixture fails on them.
        self.internal_errors: list[BaseException] = []
        self._drop_remaining: int | None = 0  # None: drop every push until resume_pushes
        self._delivery = PushDelivery(retries=push_retries)
        self._api = CalendarApi(self)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(
                self._api.app,
                log_level="warning",
                lifespan="off",
                access_log=False,
                proxy_headers=False,
            )
        )
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="google-calendar-double",
            daemon=True,
        )

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self, timeout_s: float = 10) -> GoogleCalendarDouble:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the Google Calendar double did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._delivery.close()

    def __enter__(self) -> GoogleCalendarDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- where it listens ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """Google's ``https://www.googleapis.com/calendar/v3/`` (with the trailing slash)."""
        return f"{self.base_url}/calendar/v3/"

    @property
    def token_url(self) -> str:
        return f"{self.base_url}/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.base_url}/revoke"

    @property
    def authorize_url(self) -> str:
        return f"{self.base_url}/o/oauth2/v2/auth"

    @property
    def userinfo_url(self) -> str:
        return f"{self.base_url}/oauth2/v3/userinfo"

    # -- the clock ----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The double's time: real UTC time plus what the test fast-forwarded."""
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float | timedelta) -> None:
        """Fast-forward: access tokens, authorization codes and channels expire on this clock."""
        with self.lock:
            self._offset += (
                seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
            )

    # -- accounts and calendars ---------------------------------------------------------------

    def add_account(
        self, email: str, *, time_zone: str = "UTC", summary: str | None = None
    ) -> CalendarHandle:
        """A Google account with its primary calendar (id = the email); its handle."""
        with self.lock:
            if email in self.accounts:
                raise ValueError(f"account {email} exists")
            self.accounts[email] = []
            return self.add_calendar(email, summary or email, time_zone=time_zone, primary=True)

    def add_calendar(
        self, owner: str, summary: str, *, time_zone: str = "UTC", primary: bool = False
    ) -> CalendarHandle:
        """Another calendar of ``owner`` (ids like Google's secondary calendars)."""
        with self.lock:
            calendar_id = owner if primary else f"{_token(26)}@group.calendar.google.com"
            calendar = Calendar(
                calendar_id,
                owner,
                summary,
                time_zone,
                primary=primary,
                now=self.now,
                html_base=self.base_url,
                on_change=self._calendar_changed,
                recurrence_horizon=self.recurrence_horizon,
            )
            self.accounts[owner].append(calendar)
            return CalendarHandle(self, calendar)

    def calendar(self, calendar_id: str) -> CalendarHandle:
        """A calendar by id (an account's email names its primary calendar)."""
        with self.lock:
            for calendars in self.accounts.values():
                for calendar in calendars:
                    if calendar.id == calendar_id:
                        return CalendarHandle(self, calendar)
        raise KeyError(calendar_id)

    def calendars_of(self, user: str) -> list[Calendar]:
        return list(self.accounts.get(user, []))

    def find_calendar(self, user: str, calendar_id: str) -> Calendar | None:
        wanted = user if calendar_id == "primary" else calendar_id
        return next((c for c in self.accounts.get(user, []) if c.id == wanted), None)

    # -- OAuth --------------------------------------------------------------------------------

    def register_client(
        self,
        redirect_uris: Iterable[str],
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
    ) -> OAuthClient:
        """An OAuth client (web application) with its exact redirect URIs."""
        with self.lock:
            return self.oauth.register_client(redirect_uris, client_id, client_secret)

    def consent(
        self,
        authorize_url: str,
        *,
        user: str,
        expect_scopes: Iterable[str] | None = None,
        grant_scopes: Iterable[str] | None = None,
        deny: bool = False,
    ) -> str:
        """Play ``user`` on Google's consent screen for the URL the service built.

        Checks what Google requires and what a safe service must send (``client_id`` and
        ``redirect_uri`` registered, ``response_type=code``, ``scope`` with ``expect_scopes``
        — by default any scope that may write and watch events —, a ``state``, a PKCE
        ``code_challenge`` with ``code_challenge_method=S256``, ``access_type=offline``);
        raises :class:`ConsentError` naming what is wrong. Returns the callback URL with
        ``code`` and ``state`` (``error=access_denied`` if ``deny``); ``grant_scopes`` plays
        granular consent (the user unticks the rest).
        """
        with self.lock:
            if expect_scopes is None:
                asked = set(
                    " ".join(parse_qs(urlsplit(authorize_url).query).get("scope", [""])).split()
                )
                for method_id in ("calendar.events.insert", "calendar.events.watch"):
                    if not asked & discovery.method(method_id).scopes:
                        raise ConsentError(
                            f"scope asks for nothing that allows {method_id} "
                            f"(authorization URL: {authorize_url})"
                        )
                expect_scopes = ()
            return self.oauth.consent(
                authorize_url,
                user,
                expect_scopes=expect_scopes,
                grant_scopes=grant_scopes,
                deny=deny,
                known_users=self.accounts,
            )

    def issue_tokens(
        self,
        user: str,
        client: OAuthClient,
        scopes: Sequence[str] = (CALENDAR,),
    ) -> Tokens:
        """Access and refresh tokens as if ``user`` had consented, skipping the flow."""
        with self.lock:
            return self.oauth.issue(user, client.client_id, scopes)

    def revoke_access(self, user: str) -> None:
        """The user removes the app in their Google account: API calls 401, refresh fails."""
        with self.lock:
            self.oauth.revoke_user(user)

    def expire_access_tokens(self, user: str | None = None) -> None:
        """Every access token (of ``user``) expires now; refresh tokens still work."""
        with self.lock:
            self.oauth.expire_access_tokens(user)

    # -- incremental sync ---------------------------------------------------------------------

    def expire_sync_tokens(self, calendar_id: str | None = None) -> int:
        """Sync tokens issued so far (for one calendar) answer 410 ``fullSyncRequired``."""
        with self.lock:
            count = 0
            for state in self._api.sync_tokens.values():
                if calendar_id is None or state.calendar_id == calendar_id:
                    state.expired = True
                    count += 1
            return count

    # -- push notifications -------------------------------------------------------------------

    @property
    def channels(self) -> list[ChannelInfo]:
        with self.lock:
            now = self.now()
            return [
                ChannelInfo(
                    c.id,
                    c.resource_id,
                    c.resource_uri,
                    c.token,
                    c.address,
                    c.expiration,
                    c.calendar_id,
                    c.user,
                    c.stopped,
                    c.expiration <= now,
                    c.message_number,
                )
                for c in self.channels_state
            ]

    def live_channels(self, calendar_id: str | None = None) -> list[ChannelInfo]:
        return [
            c
            for c in self.channels
            if not c.stopped and not c.expired and calendar_id in (None, c.calendar_id)
        ]

    def expire_channels(self, channel_id: str | None = None) -> None:
        """Channels (or one) reach their expiration now: no more notifications on them."""
        with self.lock:
            for channel in self.channels_state:
                if channel_id is None or channel.id == channel_id:
                    channel.expiration = min(channel.expiration, self.now())

    @property
    def pushes(self) -> list[Push]:
        """Notifications so far, in order: delivered, failed after retries, or dropped."""
        return self._delivery.pushes

    def wait_for_pushes(self, count: int, timeout_s: float = 10) -> list[Push]:
        return self._delivery.wait(count, timeout_s)

    def wait_pushes_delivered(self, timeout_s: float = 10) -> None:
        self._delivery.idle(timeout_s)

    async def wait_for_pushes_async(self, count: int, timeout_s: float = 10) -> list[Push]:
        """:meth:`wait_for_pushes` without blocking the event loop (for a receiver served in
        the test's own loop)."""
        return await asyncio.to_thread(self._delivery.wait, count, timeout_s)

    async def wait_pushes_delivered_async(self, timeout_s: float = 10) -> None:
        await asyncio.to_thread(self._delivery.idle, timeout_s)

    def drop_pushes(self, count: int | None = None) -> None:
        """Lose the next ``count`` notifications (all until :meth:`resume_pushes` if None)."""
        with self.lock:
            self._drop_remaining = count

    def resume_pushes(self) -> None:
        with self.lock:
            self._drop_remaining = 0

    @contextmanager
    def pushes_dropped(self) -> Iterator[None]:
        self.drop_pushes()
        try:
            yield
        finally:
            self.resume_pushes()

    def notify(self, channel: Channel, state: str) -> None:
        """Make one notification on ``channel`` (under the lock)."""
        headers = channel.headers(state)
        drop = self._drop_remaining is None or self._drop_remaining > 0
        if self._drop_remaining:
            self._drop_remaining -= 1
        if drop:
            self._delivery.drop(channel.id, channel.address, headers)
        else:
            self._delivery.send(channel.id, channel.address, headers)

    def _calendar_changed(self, calendar: Calendar) -> None:
        now = self.now()
        for channel in self.channels_state:
            if channel.calendar_id == calendar.id and not channel.stopped:
                if channel.expiration <= now:
                    continue
                self.notify(channel, "exists")

    # -- faults -------------------------------------------------------------------------------

    def fail_next(
        self,
        count: int,
        fault: Fault = Fault.RATE_LIMIT_429,
        *,
        method: str | None = None,
        path_contains: str = "",
    ) -> None:
        """The next ``count`` Calendar API calls (matching method/path) answer ``fault``."""
        with self.lock:
            self.faults.fail_next(count, fault, method=method, path_contains=path_contains)

    def rate_limit(self, per_second: float | None, fault: Fault = Fault.RATE_LIMIT_429) -> None:
        """Calls beyond ``per_second`` in any one-second window answer ``fault`` (None: off)."""
        with self.lock:
            self.faults.rate_limit(per_second, fault)

    def fail_token_endpoint(self, count: int = 1, status: int = 503) -> None:
        """The next ``count`` token requests answer ``status`` (a transient failure, unlike
        ``invalid_grant``: a service must retry, not disconnect)."""
        with self.lock:
            self._api.token_faults.extend([status] * count)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()
            self._api.token_faults.clear()

    @property
    def injected_faults(self) -> list[InjectedFault]:
        with self.lock:
            return list(self.faults.injected)

    # -- what happened ------------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Calendar API requests so far (not OAuth), with the status each got."""
        with self.lock:
            return list(self._api.calls)

    @property
    def token_calls(self) -> list[TokenCall]:
        """Token endpoint requests so far (grant type, status, OAuth error)."""
        with self.lock:
            return list(self._api.token_calls)


class CalendarHandle:
    """One calendar, as its owner sees it in Google Calendar (the practitioner's hand)."""

    def __init__(self, double: GoogleCalendarDouble, calendar: Calendar) -> None:
        self._double = double
        self._calendar = calendar

    @property
    def id(self) -> str:
        return self._calendar.id

    @property
    def owner(self) -> str:
        return self._calendar.owner

    @property
    def time_zone(self) -> str:
        return self._calendar.time_zone

    @property
    def resource_id(self) -> str:
        return self._calendar.resource_id

    def add_event(
        self,
        start: datetime | date,
        end: datetime | date,
        summary: str = "Busy",
        *,
        free: bool = False,
        tentative: bool = False,
        declined: bool = False,
        recurrence: Sequence[str] = (),
        time_zone: str | None = None,
        description: str | None = None,
        private: Mapping[str, str] | None = None,
        event_id: str | None = None,
    ) -> Event:
        """An event the owner adds: busy (default) or ``free`` (transparent), all-day when
        given dates, recurring with RRULE/EXDATE ``recurrence`` lines, or an invitation from
        someone else that the owner ``declined``."""
        body: dict[str, Any] = {
            "summary": summary,
            "start": _time(start, time_zone, self.time_zone, bool(recurrence)),
            "end": _time(end, time_zone, self.time_zone, bool(recurrence)),
        }
        if free:
            body["transparency"] = "transparent"
        if tentative:
            body["status"] = "tentative"
        if recurrence:
            body["recurrence"] = list(recurrence)
        if description is not None:
            body["description"] = description
        if private:
            body["extendedProperties"] = {"private": dict(private)}
        if event_id is not None:
            body["id"] = event_id
        organizer = None
        if declined:
            organizer = INVITER
            body["attendees"] = [
                {"email": INVITER, "responseStatus": "accepted"},
                {"email": self.owner, "responseStatus": "declined"},
            ]
        with self._double.lock:
            stored = self._calendar.insert(body, self.owner, organizer=organizer)
            return self._render(stored)

    def move_event(
        self,
        event_id: str,
        start: datetime | date,
        end: datetime | date,
        *,
        time_zone: str | None = None,
    ) -> Event:
        """The owner drags an event (one of ours, or an instance) to another time."""
        with self._double.lock:
            current = self._calendar.get_or_materialize(event_id)
            recurring = current.recurring
            tz = time_zone or current.body["start"].get("timeZone")
            patch = {
                "start": _time(start, tz, self.time_zone, recurring),
                "end": _time(end, tz, self.time_zone, recurring),
            }
            return self._render(self._calendar.update(event_id, patch, patch=True))

    def update_event(self, event_id: str, **fields: Any) -> Event:
        """The owner edits fields (patch semantics), e.g. ``summary=...``."""
        with self._double.lock:
            return self._render(self._calendar.update(event_id, fields, patch=True))

    def delete_event(self, event_id: str) -> Event:
        """The owner deletes an event (or one instance of a series): it becomes cancelled."""
        with self._double.lock:
            return self._render(self._calendar.delete(event_id))

    def event(self, event_id: str) -> Event:
        """An event as ``events.get`` shows it (cancelled ones too)."""
        with self._double.lock:
            stored = self._calendar.events.get(event_id)
            if stored is not None:
                return self._render(stored)
            generated = self._calendar.generated_instance(event_id)
            if generated is None:
                raise KeyError(event_id)
            master = self._calendar.events[generated["recurringEventId"]]
            return self._calendar.render(generated, master.etag)

    def events(self, *, include_cancelled: bool = False) -> list[Event]:
        """The calendar's events as stored (series as one event; instances changed on their
        own as events with ``recurringEventId``), in creation order."""
        with self._double.lock:
            return [
                self._render(s)
                for s in sorted(self._calendar.events.values(), key=lambda s: s.order)
                if include_cancelled or not s.cancelled
            ]

    def find(self, *, private: Mapping[str, str], include_cancelled: bool = False) -> list[Event]:
        """Events whose private extended properties include ``private``."""
        return [
            e
            for e in self.events(include_cancelled=include_cancelled)
            if all(
                e.get("extendedProperties", {}).get("private", {}).get(k) == v
                for k, v in private.items()
            )
        ]

    def _render(self, stored: StoredEvent) -> Event:
        return copy.deepcopy(self._calendar.render(stored.body, stored.etag))


def _time(
    value: datetime | date, tz: str | None, calendar_tz: str, recurring: bool
) -> dict[str, Any]:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("give the practitioner's events aware datetimes")
        out: dict[str, Any] = {"dateTime": value.isoformat()}
        if tz or recurring:
            out["timeZone"] = tz or calendar_tz
        return out
    return {"date": value.isoformat()}


def _token(length: int) -> str:
    return "".join(secrets.choice("0123456789abcdefghijklmnopqrstuv") for _ in range(length))
