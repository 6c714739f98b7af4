"""The token verifier nginx asks before any request reaches a service (`auth_request`).

A bare ASGI app, so a cached answer costs a dictionary lookup and no framework:

* `GET /verify` (the caller's headers, forwarded by nginx's subrequest) → 204 with
  `X-Auth-Tenant`, or 401 / 503 with `X-Auth-Code` and `X-Auth-Detail`; every answer says
  `X-Auth-Cache: hit|miss`.
* `GET /healthz` → 200 while the process answers.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from starlette.types import Receive, Scope, Send

from clinic_platform.auth.tokens import TokenVerifier
from clinic_platform.gateway.settings import VerifierSettings
from clinic_platform.gateway.verdicts import MISSING, Verdict, VerdictCache, bearer_token

log = logging.getLogger(__name__)


class VerifierApp:
    """The ASGI app of the gateway's verifier."""

    def __init__(self, verdicts: VerdictCache) -> None:
        self.verdicts = verdicts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] == "/verify":
            verdict, hit = await self.answer(_header(scope, b"authorization"))
            headers = [*verdict.headers(), ("x-auth-cache", "hit" if hit else "miss")]
            await _respond(send, verdict.status, headers)
        elif scope["path"] == "/healthz":
            await _respond(send, 200, [("content-type", "application/json")], b'{"status":"ok"}')
        else:
            await _respond(send, 404, [])

    async def answer(self, authorization: str | None) -> tuple[Verdict, bool]:
        """The verdict for an `Authorization` header, and whether it came from the cache."""
        token = bearer_token(authorization)
        if token is None:
            return MISSING, False
        cached = self.verdicts.cached(token)
        if cached is not None:
            return cached, True
        if self.verdicts.verifier.may_block:  # a JWKS fetch must not stall the event loop
            verdict, ttl_s = await anyio.to_thread.run_sync(self.verdicts.judge, token)
        else:
            verdict, ttl_s = self.verdicts.judge(token)
        if verdict.status == 503:
            log.warning("cannot judge tokens: %s", verdict.detail)
        self.verdicts.remember(token, verdict, ttl_s)
        return verdict, False


def create_verifier_app(settings: VerifierSettings) -> VerifierApp:
    """The verifier for `settings`: the platform's TokenVerifier behind a verdict cache."""
    verdicts = VerdictCache(
        TokenVerifier(settings),
        ttl_s=settings.cache_ttl_s,
        max_entries=settings.cache_max_entries,
    )
    return VerifierApp(verdicts)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _respond(
    send: Send, status: int, headers: list[tuple[str, str]], body: bytes = b""
) -> None:
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers]
    if status != 204:  # a 204 carries no body and no length
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
