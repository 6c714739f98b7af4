"""RFC 9457 problem details: one JSON shape for every error a service answers with.

Exception hierarchy (each maps to its HTTP status; `code` is the machine-readable rule):

* DomainError                   400  bad_request
  ├── Unauthorized              401  unauthorized (adds `WWW-Authenticate: Bearer`)
  ├── Forbidden                 403  forbidden
  ├── NotFound                  404  not_found
  ├── Conflict                  409  conflict            e.g. illegal_transition
  │   └── ConfirmationRequired  409  confirmation_required  e.g. appointments_outside_hours
  ├── RuleViolation             422  rule_violation      e.g. overlapping_intervals, min_notice
  └── ServiceUnavailable        503  service_unavailable
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from opentelemetry import trace
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_MEDIA_TYPE = "application/problem+json"
_log = logging.getLogger(__name__)


class DomainError(Exception):
    """A failure the caller can act on; subclasses fix the status, instances name the rule."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"
    headers: Mapping[str, str] = {}

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        title: str | None = None,
        field: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or type(self).code
        self.title = title or type(self).title
        self.field = field
        self.extra: dict[str, object] = dict(extra or {})


class Unauthorized(DomainError):
    status, code, title = 401, "unauthorized", "Authentication required"
    headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", "Not allowed"


class NotFound(DomainError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(DomainError):
    status, code, title = 409, "conflict", "Conflict with the current state"


class ConfirmationRequired(Conflict):
    """A warning: the change is valid but has consequences; repeat it with `confirm=true`."""

    code, title = "confirmation_required", "Confirmation required"


class RuleViolation(DomainError):
    status, code, title = 422, "rule_violation", "A business rule was violated"


class ServiceUnavailable(DomainError):
    status, code, title = 503, "service_unavailable", "Temporarily unavailable"


RESERVED_MEMBERS = frozenset(
    {"type", "title", "status", "detail", "instance", "code", "field", "headers"}
)


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> JSONResponse:
    """A `application/problem+json` response; `extra` members sit beside the standard ones."""
    # A URN names the rule without promising a resolvable documentation page.
    members = {"type": f"urn:clinic:problem:{code}", "title": title, "status": status}
    members |= {"detail": detail, "code": code, **extra}
    return JSONResponse(
        jsonable_encoder({k: v for k, v in members.items() if v is not None}),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    return problem_response(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        headers=exc.headers,
        instance=request.url.path,
        field=exc.field,
        # Extension members never replace the standard ones (RFC 9457 section 3.2).
        **{k: v for k, v in exc.extra.items() if k not in RESERVED_MEMBERS},
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Never echo `input`: it may hold personal data or secrets the caller sent.
    errors = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())),
            "rule": error.get("type", "invalid"),
            "message": error.get("msg", "invalid value"),
        }
        for error in exc.errors()
    ]
    fields = ", ".join(e["field"] for e in errors)
    return problem_response(
        422,
        "validation_error",
        "The request is invalid",
        f"Invalid field(s): {fields}",
        instance=request.url.path,
        errors=errors,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:  # a non-standard status such as 499
        phrase = "Error"
    code = getattr(exc, "code", None) or phrase.lower().replace(" ", "_").replace("-", "_")
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail != phrase else None
    return problem_response(
        exc.status_code,
        code,
        phrase,
        detail,
        headers=exc.headers,
        instance=request.url.path,
    )


class _UnhandledErrorMiddleware:
    """Turns any escaped exception into a generic 500 problem, logged once with its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            if started:
                raise  # too late for a problem document; let the server drop the connection
            # Path without the query string: queries can carry tokens or personal data.
            _log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            trace.get_current_span().record_exception(exc)
            response = problem_response(
                500, "internal_error", "Internal server error", "An unexpected error occurred."
            )
            await response(scope, receive, send)


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    # The database pool is exhausted or the database is away: a retryable 503, not a 500.
    _log.warning(
        "database unavailable for %s %s: %s", request.method, request.url.path, type(exc).__name__
    )
    return problem_response(
        503,
        "service_busy",
        "Service busy",
        "the database is busy or unavailable; retry shortly",
        headers={"Retry-After": "2"},
        instance=request.url.path,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error of `app` with a problem document; internals never reach the caller."""
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(SQLAlchemyTimeoutError, _busy)
    app.add_exception_handler(OperationalError, _busy)
    app.add_middleware(_UnhandledErrorMiddleware)
