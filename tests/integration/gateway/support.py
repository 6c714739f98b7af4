"""Shared by the gateway tests: tokens the verifier accepts, and problem-document checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import jwt

from clinic_platform.auth import issue_token
from clinic_platform.settings import ServiceSettings

SECRET = "gateway-test-secret-not-for-production-0123"
# GATEWAY_* settings of every test gateway: the verifier's key, and nginx's values.
VERIFIER = {"environment": "test", "jwt_secret": SECRET}
_SIGNER = ServiceSettings(environment="test", jwt_secret=SECRET)  # type: ignore[arg-type]


def token(tenant: UUID | None = None, *, ttl: timedelta = timedelta(minutes=5)) -> str:
    """A token the test gateways accept, for `tenant` (a new one by default)."""
    return issue_token(
        _SIGNER, subject=f"user-{uuid4()}", tenant_id=tenant or uuid4(), roles=["admin"], ttl=ttl
    )


def bearer(tenant: UUID | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(tenant)}"}


def token_without_tenant() -> str:
    claims = {"sub": "u", "roles": ["admin"], "exp": 4_102_444_800}  # 2100-01-01
    return jwt.encode(claims, SECRET, algorithm="HS256")


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with `status` and `code`; returns its members."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:clinic:problem:{code}"
    assert body["status"] == status
    assert body["code"] == code
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response.headers["x-request-id"]
    return body
