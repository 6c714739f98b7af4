"""Google's OAuth 2.0 for a web server app: consent, the token endpoint, revocation.

What the double checks of an authorization URL (`consent`) and of a token request, and the
error bodies it answers, follow Google's identity platform: the authorization code is single
use and short lived, bound to the client, the redirect URI and the PKCE S256 challenge; a
refresh token is issued with ``access_type=offline`` on the first consent (again only with
``prompt=consent``); revoking any token of a grant revokes the whole grant.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from clinic_testkit.google_calendar.errors import OAuthError

ACCESS_TOKEN_LIFETIME = timedelta(seconds=3599)
CODE_LIFETIME = timedelta(minutes=10)

CALENDAR = "https://www.googleapis.com/auth/calendar"
CALENDAR_EVENTS = "https://www.googleapis.com/auth/calendar.events"
CALENDAR_READONLY = "https://www.googleapis.com/auth/calendar.readonly"
CALENDAR_LIST_READONLY = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
_SHORT_SCOPES = {"email", "profile", "openid"}


class ConsentError(AssertionError):
    """The authorization URL the service built is not one Google would accept."""


@dataclass(frozen=True)
class OAuthClient:
    """A registered OAuth client (a web application in the Cloud console)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]


@dataclass(frozen=True)
class Tokens:
    """What the token endpoint answered for an authorization code."""

    access_token: str
    refresh_token: str | None
    expires_in: int
    scope: str


@dataclass
class Grant:
    """One user's grant to one client: the scopes, the refresh token, and whether revoked."""

    user: str
    client_id: str
    scopes: frozenset[str]
    refresh_token: str | None = None
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    grant: Grant
    expires_at: datetime
    scopes: frozenset[str]


@dataclass
class AuthorizationCode:
    code: str
    client_id: str
    user: str
    redirect_uri: str
    scopes: frozenset[str]
    challenge: str
    challenge_method: str
    force_consent: bool
    expires_at: datetime
    used: bool = False


@dataclass
class OAuthServer:
    """Clients, grants, codes and tokens (guarded by the double's lock)."""

    now: Callable[[], datetime]
    clients: dict[str, OAuthClient] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    codes: dict[str, AuthorizationCode] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)

    # -- test side ----------------------------------------------------------------------------

    def register_client(
        self, redirect_uris: Iterable[str], client_id: str | None = None, secret: str | None = None
    ) -> OAuthClient:
        client = OAuthClient(
            client_id or f"{secrets.randbelow(10**12):012d}-double.apps.googleusercontent.com",
            secret or "GOCSPX-" + secrets.token_urlsafe(21),
            tuple(redirect_uris),
        )
        self.clients[client.client_id] = client
        return client

    def consent(
        self,
        url: str,
        user: str,
        *,
        expect_scopes: Iterable[str],
        grant_scopes: Iterable[str] | None,
        deny: bool,
        known_users: Iterable[str],
    ) -> str:
        """Play the user's consent screen; the URL the browser is sent back to."""
        query = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}

        def need(condition: bool, message: str) -> None:
            if not condition:
                raise ConsentError(f"{message} (authorization URL: {url})")

        need(query.get("response_type") == "code", "response_type must be 'code'")
        client = self.clients.get(query.get("client_id", ""))
        need(client is not None, f"client_id {query.get('client_id')!r} is not registered")
        assert client is not None
        redirect = query.get("redirect_uri", "")
        need(redirect in client.redirect_uris, f"redirect_uri {redirect!r} is not registered")
        requested = frozenset(query.get("scope", "").split())
        need(bool(requested), "scope is missing")
        for scope in expect_scopes:
            need(scope in requested, f"scope does not ask for {scope}")
        need(bool(query.get("state")), "state is missing (CSRF protection)")
        need(bool(query.get("code_challenge")), "code_challenge (PKCE) is missing")
        need(query.get("code_challenge_method") == "S256", "code_challenge_method must be S256")
        need(query.get("access_type") == "offline", "access_type must be 'offline'")
        need(user in known_users, f"no Google account {user!r} in the double")
        state = query["state"]
        if deny:
            return _with_query(redirect, {"error": "access_denied", "state": state})
        granted = requested if grant_scopes is None else frozenset(grant_scopes) & requested
        if query.get("include_granted_scopes") == "true":
            for grant in self._live_grants(user, client.client_id):
                granted |= grant.scopes
        code = "4/0" + secrets.token_urlsafe(54)
        self.codes[code] = AuthorizationCode(
            code=code,
            client_id=client.client_id,
            user=user,
            redirect_uri=redirect,
            scopes=granted,
            challenge=query["code_challenge"],
            challenge_method="S256",
            force_consent="consent" in query.get("prompt", "").split(),
            expires_at=self.now() + CODE_LIFETIME,
        )
        return _with_query(
            redirect, {"state": state, "code": code, "scope": " ".join(sorted(granted))}
        )

    def issue(self, user: str, client_id: str, scopes: Iterable[str]) -> Tokens:
        """Tokens as if ``user`` had consented (for tests that do not exercise the flow)."""
        grant = Grant(user, client_id, frozenset(scopes), refresh_token=_refresh_token())
        self.grants.append(grant)
        access = self._access(grant)
        return Tokens(access.token, grant.refresh_token, 3599, " ".join(sorted(grant.scopes)))

    def revoke_user(self, user: str) -> int:
        """The user removes the app's access in their Google account; grants revoked."""
        count = 0
        for grant in self.grants:
            if grant.user == user and not grant.revoked:
                grant.revoked = True
                count += 1
        return count

    def expire_access_tokens(self, user: str | None = None) -> None:
        for token in self.access_tokens.values():
            if user is None or token.grant.user == user:
                token.expires_at = min(token.expires_at, self.now() - timedelta(seconds=1))

    # -- endpoints ----------------------------------------------------------------------------

    def token(self, form: dict[str, str], basic: tuple[str, str] | None) -> dict[str, object]:
        client_id = form.get("client_id") or (basic[0] if basic else "")
        secret = form.get("client_secret") or (basic[1] if basic else "")
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
        if secret != client.client_secret:
            raise OAuthError(401, "invalid_client", "Unauthorized")
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            return self._exchange(client, form)
        if grant_type == "refresh_token":
            return self._refresh(client, form)
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")

    def _exchange(self, client: OAuthClient, form: dict[str, str]) -> dict[str, object]:
        code = self.codes.get(form.get("code", ""))
        if code is None:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        if code.used or code.expires_at <= self.now() or code.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", "Bad Request")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        verifier = form.get("code_verifier")
        if not verifier:
            raise OAuthError(400, "invalid_grant", "Missing code verifier.")
        if s256(verifier) != code.challenge:
            raise OAuthError(400, "invalid_grant", "Invalid code verifier.")
        code.used = True
        existing = [g for g in self._live_grants(code.user, client.client_id) if g.refresh_token]
        fresh = code.force_consent or not existing
        if fresh:
            grant = Grant(code.user, client.client_id, code.scopes, refresh_token=_refresh_token())
            self.grants.append(grant)
        else:  # Google sends a refresh token on the first consent only
            grant = existing[-1]
            grant.scopes = grant.scopes | code.scopes
        access = self._access(grant, code.scopes)
        body: dict[str, object] = {
            "access_token": access.token,
            "expires_in": 3599,
            "scope": " ".join(sorted(code.scopes)),
            "token_type": "Bearer",
        }
        if fresh:
            body["refresh_token"] = grant.refresh_token
        return body

    def _refresh(self, client: OAuthClient, form: dict[str, str]) -> dict[str, object]:
        token = form.get("refresh_token", "")
        grant = next((g for g in self.grants if g.refresh_token == token), None)
        if grant is None or grant.revoked or grant.client_id != client.client_id:
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        scopes = grant.scopes
        if form.get("scope"):
            asked = frozenset(form["scope"].split())
            if not asked <= grant.scopes:
                raise OAuthError(400, "invalid_scope", "Bad Request")
            scopes = asked
        access = self._access(grant, scopes)
        return {
            "access_token": access.token,
            "expires_in": 3599,
            "scope": " ".join(sorted(scopes)),
            "token_type": "Bearer",
        }

    def revoke(self, token: str) -> None:
        access = self.access_tokens.get(token)
        grant = access.grant if access else None
        if grant is None:
            grant = next((g for g in self.grants if g.refresh_token == token), None)
        if grant is None or grant.revoked:
            raise OAuthError(400, "invalid_token", "Token expired or revoked")
        grant.revoked = True

    def authenticate(self, token: str) -> AccessToken | None:
        """The live access token, or None (unknown, expired, or its grant revoked)."""
        access = self.access_tokens.get(token)
        if access is None or access.grant.revoked or access.expires_at <= self.now():
            return None
        return access

    def userinfo(self, token: str) -> dict[str, object] | None:
        access = self.authenticate(token)
        if access is None:
            return None
        user = access.grant.user
        out: dict[str, object] = {"sub": hashlib.sha256(user.encode()).hexdigest()[:21]}
        if {"email", "https://www.googleapis.com/auth/userinfo.email"} & access.scopes:
            out |= {"email": user, "email_verified": True}
        return out

    # -- helpers ------------------------------------------------------------------------------

    def _live_grants(self, user: str, client_id: str) -> list[Grant]:
        return [
            g for g in self.grants if g.user == user and g.client_id == client_id and not g.revoked
        ]

    def _access(self, grant: Grant, scopes: frozenset[str] | None = None) -> AccessToken:
        token = "ya29.a0" + secrets.token_urlsafe(120)
        access = AccessToken(
            token, grant, self.now() + ACCESS_TOKEN_LIFETIME, scopes or grant.scopes
        )
        self.access_tokens[token] = access
        return access


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _refresh_token() -> str:
    return "1//0" + secrets.token_urlsafe(72)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = (parts.query + "&" if parts.query else "") + urlencode(params)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
