"""A service app serves its routers under `/api/v1/<service>` with stable operation ids."""

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from clinic_platform.auth import TokenVerifier
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api

SETTINGS = ServiceSettings(
    service_name="schedules",
    environment="test",
    jwt_secret="unit-test-secret-not-for-production-0123",
)


def practitioners_router() -> APIRouter:
    router = APIRouter(prefix="/practitioners", tags=["practitioners"])

    @router.get("/{practitioner_id}/availability/default")
    async def get_default_availability(practitioner_id: str) -> dict[str, str]:
        return {"practitioner_id": practitioner_id}

    return router


async def call(app: FastAPI, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        return await client.get(path)


async def test_routers_are_served_under_the_service_prefix() -> None:
    app = create_service_api(
        SETTINGS, title="Schedules", routers=[practitioners_router()], readiness={}
    )
    response = await call(app, "/api/v1/schedules/practitioners/p-1/availability/default")
    assert response.json() == {"practitioner_id": "p-1"}


async def test_the_openapi_document_uses_route_names_as_operation_ids() -> None:
    app = create_service_api(
        SETTINGS, title="Schedules", routers=[practitioners_router()], readiness={}
    )
    document = (await call(app, "/api/v1/schedules/openapi.json")).json()
    path = document["paths"][
        "/api/v1/schedules/practitioners/{practitioner_id}/availability/default"
    ]
    assert path["get"]["operationId"] == "get_default_availability"
    assert "/healthz" not in document["paths"]


async def test_health_endpoints_stay_at_the_root() -> None:
    app = create_service_api(SETTINGS, title="Schedules", routers=[], readiness={})
    assert (await call(app, "/healthz")).status_code == 200
    assert (await call(app, "/readyz")).status_code == 200


async def test_a_custom_prefix_replaces_the_default() -> None:
    app = create_service_api(
        SETTINGS,
        title="Schedules",
        routers=[practitioners_router()],
        readiness={},
        api_prefix="/internal",
    )
    assert (await call(app, "/internal/practitioners/p/availability/default")).status_code == 200
    assert (await call(app, "/internal/openapi.json")).status_code == 200


def test_the_app_carries_its_token_verifier_in_state() -> None:
    app = create_service_api(SETTINGS, title="Schedules", routers=[], readiness={})
    assert isinstance(app.state.token_verifier, TokenVerifier)


def test_two_routes_with_the_same_name_are_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="get_default_availability"):
        create_service_api(
            SETTINGS,
            title="Schedules",
            routers=[practitioners_router(), practitioners_router()],
            readiness={},
        )
