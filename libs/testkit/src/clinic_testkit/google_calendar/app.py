"""The HTTP face of the double: Calendar v3 under ``/calendar/v3/`` and Google's OAuth endpoints.

Paths are Google's, relative to the double's base URL, so a service configured with
``api_base_url`` and ``token_url`` talks to the double exactly as it would to
``https://www.googleapis.com/calendar/v3/`` and ``https://oauth2.googleapis.com/token``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from clinic_testkit.google_calendar import discovery, times
from clinic_testkit.google_calendar.errors import (
    GoogleApiError,
    OAuthError,
    bad_request,
    insufficient_scopes,
    invalid_parameter,
    not_found,
    required,
    unauthenticated,
)
from clinic_testkit.google_calendar.oauth import AccessToken
from clinic_testkit.google_calendar.push import Channel
from clinic_testkit.google_calendar.store import Calendar, ListQuery, new_etag, opaque_token

if TYPE_CHECKING:
    from clinic_testkit.google_calendar.double import GoogleCalendarDouble

_JSON = "application/json; charset=UTF-8"
DEFAULT_MAX_RESULTS = 250
MAX_RESULTS_CAP = 2500
DEFAULT_CHANNEL_TTL = timedelta(days=7)
MAX_CHANNEL_TTL = timedelta(days=30)
# Parameters Google refuses together with syncToken (the discovery document lists them).
_NOT_WITH_SYNC_TOKEN = (
    "iCalUID",
    "orderBy",
    "privateExtendedProperty",
    "q",
    "sharedExtendedProperty",
    "timeMin",
    "timeMax",
    "updatedMin",
)


@dataclass(frozen=True)
class ApiCall:
    """One Calendar API request as the double answered it."""

    method: str
    path: str
    query: str
    status: int
    user: str | None
    reason: str | None


@dataclass(frozen=True)
class TokenCall:
    """One request to the token endpoint: its grant type and the status and error it got."""

    grant_type: str
    status: int
    error: str | None


@dataclass
class SyncToken:
    calendar_id: str
    seq: int
    single_events: bool
    expired: bool = False


@dataclass
class PageState:
    calendar_id: str
    fingerprint: tuple[Any, ...]
    items: list[dict[str, Any]]
    offset: int
    sync_seq: int
    single_events: bool


Handler = Callable[["_Context"], Awaitable[Response]]


@dataclass
class _Context:
    request: Request
    access: AccessToken
    params: dict[str, list[str]]

    @property
    def user(self) -> str:
        return self.access.grant.user

    def one(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def flag(self, name: str) -> bool:
        return self.one(name) == "true"


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, indent=1), status_code=status, media_type=_JSON, headers=headers
    )


def _error(exc: GoogleApiError) -> Response:
    return _json(exc.body(), exc.code, exc.headers)


class CalendarApi:
    """Routes over the double's state; every handler runs under the double's lock."""

    def __init__(self, double: GoogleCalendarDouble) -> None:
        self.double = double
        self.sync_tokens: dict[str, SyncToken] = {}
        self.pages: dict[str, PageState] = {}
        self.calls: list[ApiCall] = []
        self.token_calls: list[TokenCall] = []
        self.token_faults: list[int] = []  # statuses of the next token requests to fail
        api = "/calendar/v3"
        cal = api + "/calendars/{calendarId}"
        self.app = Starlette(
            routes=[
                Route(
                    api + "/users/me/calendarList",
                    self._api("calendarList.list", self.calendar_list),
                ),
                Route(
                    api + "/users/me/calendarList/{calendarId}",
                    self._api("calendarList.get", self.calendar_list_get),
                ),
                Route(cal, self._api("calendars.get", self.calendar_get)),
                Route(cal + "/events", self._api("events.list", self.list_events), methods=["GET"]),
                Route(cal + "/events", self._api("events.insert", self.insert), methods=["POST"]),
                Route(
                    cal + "/events/watch", self._api("events.watch", self.watch), methods=["POST"]
                ),
                Route(
                    cal + "/events/{eventId}", self._api("events.get", self.get), methods=["GET"]
                ),
                Route(
                    cal + "/events/{eventId}",
                    self._api("events.patch", self.patch),
                    methods=["PATCH"],
                ),
                Route(
                    cal + "/events/{eventId}",
                    self._api("events.update", self.update),
                    methods=["PUT"],
                ),
                Route(
                    cal + "/events/{eventId}",
                    self._api("events.delete", self.delete),
                    methods=["DELETE"],
                ),
                Route(
                    api + "/channels/stop", self._api("channels.stop", self.stop), methods=["POST"]
                ),
                Route("/token", self.token, methods=["POST"]),
                Route("/revoke", self.revoke, methods=["POST"]),
                Route("/o/oauth2/v2/auth", self.authorize, methods=["GET"]),
                Route("/oauth2/v3/userinfo", self.userinfo, methods=["GET"]),
            ]
        )

    # -- the common part of every Calendar API call -------------------------------------------

    def _api(self, method_id: str, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        spec = discovery.method(f"calendar.{method_id}")

        async def endpoint(request: Request) -> Response:
            body = await request.body()
            request.state.raw_body = body
            user: str | None = None
            try:
                with self.double.lock:
                    fault = self.double.faults.check(request.method, request.url.path)
                    if fault is not None:
                        raise fault
                    access = self._authenticate(request)
                    user = access.grant.user
                    params = _validate_params(spec, request.query_params.multi_items())
                    if not (access.scopes & spec.scopes):
                        raise insufficient_scopes()
                    response = await handler(_Context(request, access, params))
            except GoogleApiError as exc:
                self._log(request, exc.code, user, exc.reason)
                return _error(exc)
            except Exception as exc:  # a bug of the double: 500, and the test fails at teardown
                self.double.internal_errors.append(exc)
                self._log(request, 500, user, "backendError")
                return _error(GoogleApiError(500, "backendError", f"Double bug: {exc!r}"))
            self._log(request, response.status_code, user, None)
            return response

        return endpoint

    def _log(self, request: Request, status: int, user: str | None, reason: str | None) -> None:
        with self.double.lock:
            self.calls.append(
                ApiCall(request.method, request.url.path, request.url.query, status, user, reason)
            )

    def _authenticate(self, request: Request) -> AccessToken:
        header = request.headers.get("authorization")
        token: str | None = None
        if header is not None:
            scheme, _, value = header.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                token = value.strip()
        elif request.query_params.get("oauth_token"):
            token = request.query_params["oauth_token"]
        if token is None:
            raise unauthenticated(missing=header is None)
        access = self.double.oauth.authenticate(token)
        if access is None:
            raise unauthenticated(missing=False)
        return access

    def _calendar(self, ctx: _Context) -> Calendar:
        calendar_id = ctx.request.path_params["calendarId"]
        calendar = self.double.find_calendar(ctx.user, calendar_id)
        if calendar is None:
            raise not_found()
        return calendar

    def _event_body(self, ctx: _Context) -> dict[str, Any]:
        raw: bytes = ctx.request.state.raw_body
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise GoogleApiError(400, "parseError", "Parse Error") from None
        if not isinstance(body, dict):
            raise GoogleApiError(400, "parseError", "Parse Error")
        return body

    # -- calendars ----------------------------------------------------------------------------

    async def calendar_list(self, ctx: _Context) -> Response:
        items = [self._list_entry(c) for c in self.double.calendars_of(ctx.user)]
        return _json(
            {
                "kind": "calendar#calendarList",
                "etag": new_etag(),
                "nextSyncToken": opaque_token(),
                "items": items,
            }
        )

    async def calendar_list_get(self, ctx: _Context) -> Response:
        return _json(self._list_entry(self._calendar(ctx)))

    async def calendar_get(self, ctx: _Context) -> Response:
        calendar = self._calendar(ctx)
        return _json(
            {
                "kind": "calendar#calendar",
                "etag": calendar.etag,
                "id": calendar.id,
                "summary": calendar.summary,
                "timeZone": calendar.time_zone,
                "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
            }
        )

    def _list_entry(self, calendar: Calendar) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "kind": "calendar#calendarListEntry",
            "etag": calendar.etag,
            "id": calendar.id,
            "summary": calendar.summary,
            "timeZone": calendar.time_zone,
            "colorId": "14",
            "backgroundColor": "#9fe1e7",
            "foregroundColor": "#000000",
            "selected": True,
            "accessRole": "owner",
            "defaultReminders": [],
            "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
        }
        if calendar.primary:
            entry["primary"] = True
        return entry

    # -- events -------------------------------------------------------------------------------

    async def insert(self, ctx: _Context) -> Response:
        calendar = self._calendar(ctx)
        stored = calendar.insert(self._event_body(ctx), ctx.user)
        return _json(calendar.render(stored.body, stored.etag))

    async def get(self, ctx: _Context) -> Response:
        calendar = self._calendar(ctx)
        event_id = ctx.request.path_params["eventId"]
        stored = calendar.events.get(event_id)
        if stored is not None:
            body, etag = stored.body, stored.etag
        else:
            generated = calendar.generated_instance(event_id)
            if generated is None:
                raise not_found()
            body, etag = generated, calendar.events[generated["recurringEventId"]].etag
        if_none_match = ctx.request.headers.get("if-none-match")
        if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
            return Response(status_code=304, headers={"ETag": etag})
        rendered = calendar.render(body, etag, tz=_zone_param(ctx))
        return _json(rendered, headers={"ETag": etag})

    async def patch(self, ctx: _Context) -> Response:
        return self._write(ctx, patch=True)

    async def update(self, ctx: _Context) -> Response:
        return self._write(ctx, patch=False)

    def _write(self, ctx: _Context, *, patch: bool) -> Response:
        calendar = self._calendar(ctx)
        stored = calendar.update(
            ctx.request.path_params["eventId"],
            self._event_body(ctx),
            patch=patch,
            if_match=ctx.request.headers.get("if-match"),
        )
        return _json(calendar.render(stored.body, stored.etag), headers={"ETag": stored.etag})

    async def delete(self, ctx: _Context) -> Response:
        calendar = self._calendar(ctx)
        calendar.delete(
            ctx.request.path_params["eventId"], if_match=ctx.request.headers.get("if-match")
        )
        return Response(status_code=204)

    async def list_events(self, ctx: _Context) -> Response:
        calendar = self._calendar(ctx)
        query = _list_query(ctx)
        max_results = min(int(ctx.one("maxResults") or DEFAULT_MAX_RESULTS), MAX_RESULTS_CAP)
        page_token = ctx.one("pageToken")
        sync_token = ctx.one("syncToken")
        if page_token is not None:
            page = self.pages.get(page_token)
            if page is None or page.calendar_id != calendar.id:
                raise bad_request("Invalid page token value.")
            if page.fingerprint != query.fingerprint():
                raise bad_request(
                    "Invalid page token value: the other parameters differ from the first page's."
                )
        else:
            if sync_token is not None:
                for name in _NOT_WITH_SYNC_TOKEN:
                    if name in ctx.params:
                        raise bad_request(
                            f"The sync token cannot be used together with {name}.",
                            location=name,
                        )
                state = self.sync_tokens.get(sync_token)
                if state is None or state.calendar_id != calendar.id:
                    raise bad_request("Invalid sync token value.", location="syncToken")
                if state.expired:
                    raise GoogleApiError(
                        410,
                        "fullSyncRequired",
                        "Sync token is no longer valid, a full sync is required.",
                    )
                if state.single_events != query.single_events:
                    raise bad_request(
                        "singleEvents differs from the request that made this sync token "
                        "(undefined behaviour at Google; the double refuses it)",
                        location="singleEvents",
                    )
                query.since_seq = state.seq
            rows = calendar.list(query)
            items = [
                calendar.render(body, etag, minimal=minimal, tz=query.time_zone)
                for body, etag, minimal in rows
            ]
            page = PageState(
                calendar.id, query.fingerprint(), items, 0, calendar.seq, query.single_events
            )
        chunk = page.items[page.offset : page.offset + max_results]
        body: dict[str, Any] = {
            "kind": "calendar#events",
            "etag": calendar.etag,
            "summary": calendar.summary,
            "description": "",
            "updated": times.format_updated(calendar.updated),
            "timeZone": calendar.time_zone,
            "accessRole": "owner",
            "defaultReminders": [],
            "items": chunk,
        }
        if page.offset + max_results < len(page.items):
            token = opaque_token()
            self.pages[token] = PageState(
                page.calendar_id,
                page.fingerprint,
                page.items,
                page.offset + max_results,
                page.sync_seq,
                page.single_events,
            )
            body["nextPageToken"] = token
        else:
            token = opaque_token()
            self.sync_tokens[token] = SyncToken(page.calendar_id, page.sync_seq, page.single_events)
            body["nextSyncToken"] = token
        return _json(body)

    # -- push ---------------------------------------------------------------------------------

    async def watch(self, ctx: _Context) -> Response:
        calendar = self._calendar(ctx)
        body = self._event_body(ctx)
        channel_id = body.get("id")
        if not channel_id or not isinstance(channel_id, str):
            raise required("Required")
        if body.get("type") not in ("web_hook", "webhook"):
            raise bad_request(f"Invalid channel type: {body.get('type')}")
        address = body.get("address")
        if not isinstance(address, str) or not address:
            raise required("Required")
        if not address.startswith("https://") and not self.double.allow_http_webhooks:
            raise bad_request(
                f"WebHook callback must be HTTPS: {address}", reason="push.webhookUrlNotHttps"
            )
        if any(c.id == channel_id for c in self.double.channels_state):
            raise bad_request(f"Channel id {channel_id} not unique", reason="channelIdNotUnique")
        now = self.double.now()
        ttl = DEFAULT_CHANNEL_TTL
        params = body.get("params") or {}
        if isinstance(params, dict) and params.get("ttl") is not None:
            try:
                ttl = timedelta(seconds=int(params["ttl"]))
            except (TypeError, ValueError):
                raise bad_request(f"Invalid ttl value: {params['ttl']}") from None
        expiration = now + min(ttl, MAX_CHANNEL_TTL)
        if body.get("expiration"):
            try:
                asked = int(body["expiration"])
            except (TypeError, ValueError):
                raise bad_request("Invalid expiration value.") from None
            expiration = min(expiration, datetime.fromtimestamp(asked / 1000, UTC))
        request_id = quote(ctx.request.path_params["calendarId"], safe="@")
        channel = Channel(
            id=channel_id,
            resource_id=calendar.resource_id,
            resource_uri=f"{self.double.api_base_url}calendars/{request_id}/events?alt=json",
            token=body.get("token"),
            address=address,
            expiration=expiration,
            calendar_id=calendar.id,
            user=ctx.user,
        )
        self.double.channels_state.append(channel)
        self.double.notify(channel, "sync")
        return _json(channel.resource())

    async def stop(self, ctx: _Context) -> Response:
        body = self._event_body(ctx)
        for channel in self.double.channels_state:
            if (
                channel.id == body.get("id")
                and channel.resource_id == body.get("resourceId")
                and not channel.stopped
            ):
                channel.stopped = True
                return Response(status_code=204)
        raise GoogleApiError(
            404, "notFound", f"Channel '{body.get('id')}' not found for project 'double'"
        )

    # -- OAuth 2.0 ----------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        grant_type = form.get("grant_type", "")
        try:
            with self.double.lock:
                if self.token_faults:
                    status = self.token_faults.pop(0)
                    raise OAuthError(status, "temporarily_unavailable", "Backend Error")
                body = self.double.oauth.token(form, _basic(request))
                self.token_calls.append(TokenCall(grant_type, 200, None))
        except OAuthError as exc:
            with self.double.lock:
                self.token_calls.append(TokenCall(grant_type, exc.status, exc.error))
            return _json(exc.body(), exc.status)
        return _json(body, headers={"Cache-Control": "no-cache, no-store, max-age=0"})

    async def revoke(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode()))
        token = form.get("token") or request.query_params.get("token") or ""
        try:
            with self.double.lock:
                self.double.oauth.revoke(token)
        except OAuthError as exc:
            return _json(exc.body(), exc.status)
        return _json({})

    async def authorize(self, request: Request) -> Response:
        """The consent screen, consenting at once as ``login_hint`` (or the only account)."""
        with self.double.lock:
            users = list(self.double.accounts)
        user = request.query_params.get("login_hint") or (users[0] if len(users) == 1 else "")
        try:
            location = self.double.consent(str(request.url), user=user)
        except AssertionError as exc:
            return Response(str(exc), status_code=400, media_type="text/plain")
        return RedirectResponse(location, status_code=302)

    async def userinfo(self, request: Request) -> Response:
        header = request.headers.get("authorization", "")
        token = header.partition(" ")[2].strip()
        with self.double.lock:
            info = self.double.oauth.userinfo(token)
        if info is None:
            return _json(
                {"error": "invalid_request", "error_description": "Invalid Credentials"}, 401
            )
        return _json(info)


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _validate_params(spec: discovery.Method, items: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in items:
        if name in discovery.STANDARD_PARAMETERS:
            if name == "alt" and value != "json":
                raise invalid_parameter(name, value, "only alt=json is supported")
            continue
        param = spec.parameters.get(name)
        if param is None or param.location != "query":
            raise GoogleApiError(
                400,
                "badRequest",
                f"Unknown parameter {name!r} for {spec.id} (the double refuses parameters "
                "the discovery document does not name)",
                location=name,
            )
        if param.type == "boolean":
            if value.lower() not in ("true", "false"):  # Google takes "True" too
                raise invalid_parameter(name, value, "must be true or false")
            value = value.lower()
        if param.type == "integer":
            try:
                number = int(value)
            except ValueError:
                raise invalid_parameter(name, value, "must be an integer") from None
            if param.minimum is not None and number < param.minimum:
                raise invalid_parameter(name, value, f"must be at least {param.minimum}")
        if param.enum and value not in param.enum:
            raise invalid_parameter(name, value, f"must be one of {', '.join(param.enum)}")
        out.setdefault(name, []).append(value)
    return out


def _zone_param(ctx: _Context) -> str | None:
    tz = ctx.one("timeZone")
    if tz is not None and not times.valid_zone(tz):
        raise bad_request(f"Invalid time zone: {tz}", location="timeZone")
    return tz


def _properties(values: list[str], name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise bad_request(f"Invalid {name} value: {item}", location=name)
        out[key] = value
    return out


def _list_query(ctx: _Context) -> ListQuery:
    query = ListQuery(
        single_events=ctx.flag("singleEvents"),
        show_deleted=ctx.flag("showDeleted"),
        private=_properties(
            ctx.params.get("privateExtendedProperty", []), "privateExtendedProperty"
        ),
        shared=_properties(ctx.params.get("sharedExtendedProperty", []), "sharedExtendedProperty"),
        ical_uid=ctx.one("iCalUID"),
        q=ctx.one("q"),
        order_by=ctx.one("orderBy"),
        time_zone=_zone_param(ctx),
    )
    for name in ("timeMin", "timeMax", "updatedMin"):
        value = ctx.one(name)
        if value is not None:
            parsed = times.parse_rfc3339(value, name)
            if name == "timeMin":
                query.time_min = parsed
            elif name == "timeMax":
                query.time_max = parsed
            else:
                query.updated_min = parsed
    if query.time_min and query.time_max and query.time_min >= query.time_max:
        raise GoogleApiError(400, "timeRangeEmpty", "The specified time range is empty.")
    if query.order_by == "startTime" and not query.single_events:
        raise bad_request("The requested ordering is not available for the particular query.")
    return query
