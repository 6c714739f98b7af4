"""Routes see the verified caller; missing, bad or under-privileged tokens get problem answers."""

from collections.abc import AsyncIterator
from datetime import timedelta
from uuid import uuid4

import httpx
import pytest
from fastapi import APIRouter

from clinic_platform.auth import CurrentPrincipal, Permission, issue_token, require, require_any
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api

SETTINGS = ServiceSettings(
    service_name="demo", environment="test", jwt_secret="unit-test-secret-not-for-production-0123"
)
router = APIRouter()


@router.get("/me")
async def who_am_i(principal: CurrentPrincipal) -> dict[str, str]:
    return {"subject": principal.subject, "tenant_id": str(principal.tenant_id)}


@router.get("/analytics", dependencies=[require(Permission.ANALYTICS_READ)])
async def read_analytics() -> dict[str, str]:
    return {"ok": "yes"}


@router.get(
    "/schedules",
    dependencies=[require_any(Permission.PROFESSIONAL_READ, Permission.PROFESSIONAL_OWN_READ)],
)
async def read_schedules() -> dict[str, str]:
    return {"ok": "yes"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_service_api(SETTINGS, title="demo", routers=[router], readiness={})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo") as client:
        yield client


def bearer(*roles: str, ttl: timedelta = timedelta(minutes=5)) -> dict[str, str]:
    token = issue_token(SETTINGS, subject="u-1", tenant_id=uuid4(), roles=roles, ttl=ttl)
    return {"Authorization": f"Bearer {token}"}


async def test_a_valid_token_reaches_the_route_as_a_principal(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/me", headers=bearer("patient"))
    assert response.status_code == 200
    assert response.json()["subject"] == "u-1"


async def test_a_missing_header_is_a_401_problem_asking_for_a_bearer_token(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/demo/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "unauthorized"


async def test_an_expired_token_is_a_401_invalid_token_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/me", headers=bearer(ttl=timedelta(minutes=-5)))
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    problem = response.json()
    assert (problem["code"], problem["status"]) == ("invalid_token", 401)
    assert "expired" in problem["detail"]


async def test_a_non_bearer_scheme_is_treated_as_missing(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/me", headers={"Authorization": "Basic dTpw"})
    assert response.status_code == 401


async def test_a_role_without_the_permission_is_a_403_naming_it(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/analytics", headers=bearer("hygienist"))
    assert response.status_code == 403
    problem = response.json()
    assert problem["code"] == "missing_permission"
    assert problem["missing_permissions"] == ["analytics.read"]
    assert "analytics.read" in problem["detail"]


async def test_a_role_with_the_permission_passes(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/demo/analytics", headers=bearer("receptionist"))
    assert response.status_code == 200


async def test_require_any_accepts_either_the_any_or_the_own_permission(
    client: httpx.AsyncClient,
) -> None:
    own = await client.get("/api/v1/demo/schedules", headers=bearer("practitioner"))
    none = await client.get("/api/v1/demo/schedules", headers=bearer("ai_agent"))
    assert own.status_code == 200
    assert none.status_code == 403
    assert none.json()["missing_permissions"] == ["professional.read", "professional.own.read"]


async def test_the_openapi_document_declares_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    document = (await client.get("/api/v1/demo/openapi.json")).json()
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
