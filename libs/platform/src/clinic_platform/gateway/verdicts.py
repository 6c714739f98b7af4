"""What the gateway is told about a request's `Authorization` header, remembered for a few seconds.

nginx's `auth_request` understands three answers (2xx lets the request through, 401 and 403
refuse it; anything else is its own 500), so a verdict is one of: 204 with the caller's tenant,
401 naming the problem, or 503 when the signing keys cannot be fetched (nginx maps that 500 to a
503 problem itself; see deploy/gateway/README.md).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import jwt

from clinic_platform.auth.tokens import InvalidToken, TokenVerifier, VerifierUnavailable
from clinic_platform.gateway.cache import ExpiringCache

_BEARER = re.compile(r"^bearer[ \t]+(\S+)[ \t]*$", re.IGNORECASE)
# nginx pastes the detail into a JSON string, so keep it to characters that need no escaping.
_UNSAFE_IN_DETAIL = re.compile(r"[^ !#-\[\]-~]")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one header: `status` 204 (with `tenant_id`), 401 or 503 (with a problem)."""

    status: int
    tenant_id: UUID | None = None
    code: str | None = None
    detail: str | None = None

    def headers(self) -> list[tuple[str, str]]:
        """The response headers nginx reads with `auth_request_set`."""
        if self.tenant_id is not None:
            return [("x-auth-tenant", str(self.tenant_id))]
        headers = [("x-auth-code", self.code or ""), ("x-auth-detail", self.detail or "")]
        if self.status == 401:
            # RFC 6750: say whether the token itself is bad, so the client re-authenticates.
            challenge = 'Bearer error="invalid_token"' if self.code == "invalid_token" else "Bearer"
            headers.append(("www-authenticate", challenge))
        return headers


MISSING = Verdict(
    401, code="unauthorized", detail="Send an 'Authorization: Bearer <token>' header."
)


def refused(detail: str) -> Verdict:
    """A 401 verdict for a token that is not valid."""
    return Verdict(401, code="invalid_token", detail=_UNSAFE_IN_DETAIL.sub("", detail)[:200])


def bearer_token(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive)."""
    match = _BEARER.match(authorization or "")
    return match.group(1) if match else None


class VerdictCache:
    """Judges tokens with the platform's `TokenVerifier` and remembers each verdict for
    `ttl_s` seconds, never past the token's expiry; outages are never remembered."""

    def __init__(
        self,
        verifier: TokenVerifier,
        *,
        ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.verifier = verifier
        self._ttl_s = ttl_s
        self._cache: ExpiringCache[str, Verdict] = ExpiringCache(max_entries, clock)
        self._wall_clock = wall_clock

    def cached(self, token: str) -> Verdict | None:
        """The remembered verdict for `token`, if it is still fresh."""
        return self._cache.get(token)

    def judge(self, token: str) -> tuple[Verdict, float]:
        """Verify `token` (this may fetch keys over the network); returns the verdict and how
        long it may be remembered. Touches no shared state, so it may run in a worker thread."""
        try:
            principal = self.verifier.verify(token)
        except InvalidToken as exc:
            return refused(str(exc)), self._ttl_s
        except VerifierUnavailable as exc:
            return Verdict(503, code="authentication_unavailable", detail=str(exc)), 0.0
        return Verdict(204, tenant_id=principal.tenant_id), self._ttl_until_expiry(token)

    def remember(self, token: str, verdict: Verdict, ttl_s: float) -> None:
        """Keep `verdict` for `ttl_s` seconds (from the event loop only)."""
        self._cache.put(token, verdict, ttl_s)

    def _ttl_until_expiry(self, token: str) -> float:
        # The signature and `exp` were checked a moment ago; only read `exp` here.
        claims = jwt.decode(token, options={"verify_signature": False})
        return min(self._ttl_s, float(claims["exp"]) - self._wall_clock())
