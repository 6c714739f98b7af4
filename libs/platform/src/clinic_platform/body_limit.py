"""Refusing request bodies over a size cap before they are read in full.

The gateway caps bodies too, but a service reachable without it (inside the cluster, in tests)
must not buffer 50 MB to answer 422: a declared `Content-Length` over the cap is refused at once,
and a chunked body is cut off as soon as it passes the cap.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_platform.errors import problem_response

CODE, TITLE = "body_too_large", "Request body too large"


class BodyTooLarge(HTTPException):
    """A streamed body passed the cap while the handler read it (the problem handlers answer)."""

    code = CODE

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, _detail(max_bytes))


def _detail(max_bytes: int) -> str:
    return f"the request body may be at most {max_bytes} bytes"


class BodyLimitMiddleware:
    """Answers 413 problem+json for a request body larger than `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413, CODE, TITLE, _detail(self.max_bytes), instance=scope.get("path")
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
