"""The request id: taken from `X-Request-ID` (the gateway sets one) or minted, echoed back, and
available to every log line written while the request is handled."""

from __future__ import annotations

import re
from contextvars import ContextVar
from uuid import uuid4

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
# What a caller may choose: short, printable, no spaces or quotes (it lands in every log line).
_ACCEPTED = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")
_request_id: ContextVar[str | None] = ContextVar("clinic_request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled, None outside a request."""
    return _request_id.get()


def accepted_or_minted(value: str | None) -> str:
    """The caller's id when it is acceptable, else a new one (32 hex digits, like nginx's)."""
    if value is not None and _ACCEPTED.fullmatch(value):
        return value
    return uuid4().hex


class RequestIdMiddleware:
    """Sets the request id for the request's duration and adds it to the response headers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app  # the attribute FastAPI walks to find other instrumentation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None
        )
        request_id = accepted_or_minted(given)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = _request_id.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
