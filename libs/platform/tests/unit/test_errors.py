"""Every error leaves as an RFC 9457 problem document, and internals never leak."""

from collections.abc import AsyncIterator
from datetime import time

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel

from clinic_platform.errors import (
    ConfirmationRequired,
    Conflict,
    NotFound,
    RuleViolation,
    problem_response,
)
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api

router = APIRouter()


class Interval(BaseModel):
    start: time
    end: time


class WeeklySchedule(BaseModel):
    intervals: list[Interval]


@router.put("/schedule")
async def replace_schedule(body: WeeklySchedule) -> dict[str, int]:
    return {"intervals": len(body.intervals)}


@router.get("/overlap")
async def overlap() -> None:
    raise RuleViolation(
        "Time intervals cannot overlap",
        code="overlapping_intervals",
        field="intervals",
        extra={"conflicting_intervals": ["09:00-12:00", "10:00-14:00"]},
    )


@router.get("/transition")
async def transition() -> None:
    raise Conflict("A completed appointment cannot be cancelled", code="illegal_transition")


@router.get("/missing")
async def missing() -> None:
    raise NotFound("No practitioner with this id")


@router.get("/warning")
async def warning() -> None:
    raise ConfirmationRequired(
        "Some appointments will be outside your new working hours",
        code="appointments_outside_hours",
        extra={"affected_appointments": [{"id": 1, "date": "2025-01-20"}]},
    )


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("password=hunter2 at db.internal:5432")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    settings = ServiceSettings(service_name="demo")
    app = create_service_api(settings, title="demo", routers=[router], readiness={})
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo/api/v1/demo/") as c:
        yield c


async def test_a_validation_error_names_the_nested_field_and_rule(
    client: httpx.AsyncClient,
) -> None:
    body = {"intervals": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "25:99"}]}
    response = await client.put("schedule", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert problem["status"] == 422
    [error] = problem["errors"]
    assert error["field"] == "body.intervals.1.end"
    assert error["rule"] == "time_parsing"
    assert "25:99" not in str(problem)  # the input is never echoed


async def test_a_rule_violation_is_a_422_with_its_code_field_and_details(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("overlap")
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "overlapping_intervals"
    assert problem["type"] == "urn:clinic:problem:overlapping_intervals"
    assert problem["field"] == "intervals"
    assert problem["conflicting_intervals"] == ["09:00-12:00", "10:00-14:00"]
    assert problem["instance"] == "/api/v1/demo/overlap"


async def test_an_illegal_transition_is_a_409(client: httpx.AsyncClient) -> None:
    response = await client.get("transition")
    assert (response.status_code, response.json()["code"]) == (409, "illegal_transition")


async def test_a_missing_resource_is_a_404_with_the_default_code(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("missing")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


async def test_a_warning_asks_for_confirmation_and_lists_what_it_affects(
    client: httpx.AsyncClient,
) -> None:
    problem = (await client.get("warning")).json()
    assert problem["status"] == 409
    assert problem["code"] == "appointments_outside_hours"
    assert problem["affected_appointments"] == [{"id": 1, "date": "2025-01-20"}]


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


async def test_a_wrong_method_is_a_405_problem_that_keeps_the_allow_header(
    client: httpx.AsyncClient,
) -> None:
    response = await client.delete("schedule")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response.headers["allow"] == "PUT"


async def test_an_unhandled_exception_is_a_generic_500_that_leaks_nothing(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await client.get("boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "internal_error"
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert any(r.exc_info for r in caplog.records if "unhandled error" in r.getMessage())


def test_problem_response_drops_empty_members_and_keeps_extras() -> None:
    response = problem_response(409, "slot_taken", "Slot taken", None, field=None, slot="09:00")
    assert response.body == (
        b'{"type":"urn:clinic:problem:slot_taken","title":"Slot taken",'
        b'"status":409,"code":"slot_taken","slot":"09:00"}'
    )


async def test_extension_members_never_replace_the_standard_ones() -> None:
    from clinic_platform.errors import Conflict

    router = APIRouter()

    @router.get("/clash")
    async def clash() -> None:
        raise Conflict("busy", code="busy", extra={"status": "held", "title": "x", "who": "me"})

    app = create_service_api(
        ServiceSettings(service_name="demo"), title="t", routers=[router], readiness={}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as c:
        response = await c.get("/api/v1/demo/clash")
    assert response.status_code == 409
    assert response.json()["status"] == 409
    assert response.json()["who"] == "me"


async def test_an_exhausted_database_pool_is_a_retryable_503_not_a_500() -> None:
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    router = APIRouter()

    @router.get("/busy")
    async def busy() -> None:
        raise PoolTimeout("QueuePool limit of size 10 overflow 10 reached")

    app = create_service_api(
        ServiceSettings(service_name="demo"), title="t", routers=[router], readiness={}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as c:
        response = await c.get("/api/v1/demo/busy")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["code"] == "service_busy"
    assert "QueuePool" not in response.text
