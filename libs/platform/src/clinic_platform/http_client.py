"""Outgoing HTTP calls that continue the caller's trace: a client span per request, with the
W3C `traceparent` and the request id (`X-Request-ID`) passed on to the service called."""

from __future__ import annotations

import httpx
from opentelemetry.trace import SpanKind, Status, StatusCode

from clinic_platform.request_context import HEADER as REQUEST_ID_HEADER
from clinic_platform.request_context import current_request_id
from clinic_platform.telemetry import inject_trace_context, tracer


class TracedTransport(httpx.AsyncBaseTransport):
    """Wraps a transport: every request gets a client span and carries the trace onwards."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        with tracer(__name__).start_as_current_span(
            request.method,
            kind=SpanKind.CLIENT,
            attributes={
                "http.request.method": request.method,
                "server.address": url.host,
                "server.port": url.port or (443 if url.scheme == "https" else 80),
                "url.path": url.path,  # never the query: it can carry personal data
            },
        ) as span:
            inject_trace_context(request.headers)
            request_id = current_request_id()
            if request_id is not None and REQUEST_ID_HEADER not in request.headers:
                request.headers[REQUEST_ID_HEADER] = request_id
            response = await self._inner.handle_async_request(request)
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
            return response

    async def aclose(self) -> None:
        await self._inner.aclose()


def traced_transport(inner: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncBaseTransport:
    """`inner` (default: httpx's own transport) with a client span and trace propagation."""
    return TracedTransport(inner)
