"""The analytics route refuses bad ranges and callers without analytics.read before any query."""

from collections.abc import AsyncIterator
from typing import Any, cast
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_platform.auth import issue_token
from clinic_platform.inbox import ReceivedEvent
from schedules.app import build_app
from schedules.config import Settings
from schedules.events import in_turn

URL = "/api/v1/schedules/analytics/occupancy"
# Nothing listens there: a request that reached the database would fail with a 503, not these.
SETTINGS = Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")


def headers(*roles: str) -> dict[str, str]:
    token = issue_token(SETTINGS, subject="someone", tenant_id=uuid4(), roles=roles)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(build_app(SETTINGS))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


@pytest.mark.parametrize("role", ["hygienist", "practitioner", "patient", "ai_agent"])
async def test_roles_without_analytics_read_get_403(client: httpx.AsyncClient, role: str) -> None:
    response = await client.get(
        URL, params={"from": "2030-03-01", "to": "2030-03-02"}, headers=headers(role)
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["missing_permissions"] == ["analytics.read"]


async def test_no_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get(URL, params={"from": "2030-03-01", "to": "2030-03-02"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"from": "2030-03-01", "to": "2030-06-02"}, "range_too_long", "to"),  # 94 days
        ({"from": "2030-03-02", "to": "2030-03-01"}, "invalid_range", "to"),
    ],
)
async def test_ranges_over_93_days_or_reversed_are_422_naming_to(
    client: httpx.AsyncClient, params: dict[str, str], code: str, field: str
) -> None:
    response = await client.get(URL, params=params, headers=headers("receptionist"))
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2030-02-30", "to": "2030-03-01"}, "query.from"),
        ({"from": "2030-03-01"}, "query.to"),
        (
            {"from": "2030-03-01", "to": "2030-03-01", "practitioner_id": "x"},
            "query.practitioner_id",
        ),
    ],
)
async def test_malformed_parameters_are_422_naming_the_field(
    client: httpx.AsyncClient, params: dict[str, str], field: str
) -> None:
    response = await client.get(URL, params=params, headers=headers("admin"))
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_in_turn_runs_every_handler_in_order_on_the_same_session() -> None:
    seen: list[tuple[str, object]] = []

    def named(name: str) -> Any:
        async def handler(session: AsyncSession, event: ReceivedEvent) -> None:
            seen.append((name, session))

        return handler

    session = cast(AsyncSession, object())
    await in_turn(named("replica"), named("projection"))(session, cast(ReceivedEvent, None))
    assert seen == [("replica", session), ("projection", session)]
