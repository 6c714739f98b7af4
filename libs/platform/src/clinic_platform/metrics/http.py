"""Request rate and latency by route template, method and status class (ASGI middleware)."""

from __future__ import annotations

import time

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clinic_platform.metrics.instruments import HTTP_DURATION

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # one label for every path no route serves: ids never become labels


class HttpMetricsMiddleware:
    """Records `http.server.request.duration` for every HTTP request the app answers."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app  # the attribute FastAPI walks to find other instrumentation
        self._templates: dict[int, str] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before answering

        async def send_observing(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observing)
        finally:
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "_OTHER"
            HTTP_DURATION.record(
                time.perf_counter() - started,
                {
                    "http.route": self._route(scope),
                    "http.request.method": method,
                    "http.response.status_class": f"{status // 100}xx",
                },
            )

    def _route(self, scope: Scope) -> str:
        """The template of the route that served the request (`/api/v1/x/items/{item_id}`)."""
        route = scope.get("route")
        if route is not None:
            template = self._template_of(scope, route)
            if template is not None:
                return template
        # Routes that do not say which they are (the OpenAPI document, docs): match again.
        for context in iter_route_contexts(scope["app"].routes):
            match, _ = context.matches(scope)
            if match is Match.FULL and context.path_format:
                return context.path_format
        return UNMATCHED

    def _template_of(self, scope: Scope, route: BaseRoute) -> str | None:
        # FastAPI hands over the route as declared in its router, without the include prefix:
        # the full template comes from the app's flattened route contexts, indexed once.
        if self._templates is None:
            self._templates = _index(scope["app"].routes)
        return self._templates.get(id(route))


def _index(routes: list[BaseRoute]) -> dict[int, str]:
    return {
        id(context.original_route): context.path_format
        for context in iter_route_contexts(routes)
        if context.path_format
    }
