"""The one way a service builds its HTTP app: errors, auth, health, metrics, telemetry, request
ids and its routers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator, Mapping, Sequence

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from starlette.types import Lifespan

from clinic_platform.auth.tokens import TokenVerifier
from clinic_platform.body_limit import BodyLimitMiddleware
from clinic_platform.errors import install_problem_handlers
from clinic_platform.health import ReadinessCheck, health_router
from clinic_platform.metrics import HttpMetricsMiddleware, metrics_router
from clinic_platform.request_context import RequestIdMiddleware
from clinic_platform.settings import ServiceSettings
from clinic_platform.telemetry import instrument_fastapi, setup_telemetry


def operation_id(route: APIRoute) -> str:
    """The route function's name: stable across path changes, so generated clients keep theirs."""
    return route.name


def create_service_api(
    settings: ServiceSettings,
    *,
    title: str,
    routers: Sequence[APIRouter],
    readiness: Mapping[str, ReadinessCheck],
    degradable: Collection[str] = (),
    lifespan: Lifespan[FastAPI] | None = None,
    api_prefix: str | None = None,
) -> FastAPI:
    """A FastAPI app serving `routers` under `/api/v1/<service_name>`, and the probes and
    `/metrics` at the root; `degradable` readiness checks may fail without a 503."""
    prefix = api_prefix if api_prefix is not None else f"/api/v1/{settings.service_name}"
    app = FastAPI(
        title=title,
        lifespan=lifespan,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=f"{prefix}/docs",
        redoc_url=None,
        generate_unique_id_function=operation_id,
    )
    app.state.settings = settings
    app.state.token_verifier = TokenVerifier(settings)
    install_problem_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_request_bytes)
    app.include_router(health_router(readiness, degradable=degradable))
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router, prefix=prefix)
    _refuse_duplicate_operation_ids(app)
    # Added last, so outermost of our middleware: every log line of a request has its id, and
    # the duration covers the error handling and body limit too.
    app.add_middleware(HttpMetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)
    setup_telemetry(settings.service_name, settings.otlp_endpoint)
    instrument_fastapi(app)
    return app


def _refuse_duplicate_operation_ids(app: FastAPI) -> None:
    # Operation ids are route names, so two handlers named alike would collide in the
    # OpenAPI document and in generated clients; fail at startup instead.
    counts = Counter(_operation_ids(app.router))
    duplicates = sorted(name for name, count in counts.items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate OpenAPI operation ids: {', '.join(duplicates)}")


def _operation_ids(router: APIRouter) -> Iterator[str]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            if route.include_in_schema:
                yield route.operation_id or operation_id(route)
        # FastAPI >= 0.16x keeps included routers as lazy wrappers around the original.
        elif isinstance(included := getattr(route, "original_router", None), APIRouter):
            yield from _operation_ids(included)
