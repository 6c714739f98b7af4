"""Request bodies over the service's cap are refused with 413 before they are read in full."""

from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from clinic_platform.errors import PROBLEM_MEDIA_TYPE
from clinic_platform.settings import ServiceSettings
from clinic_platform.web import create_service_api

SETTINGS = ServiceSettings(
    service_name="schedules",
    environment="test",
    jwt_secret="unit-test-secret-not-for-production-0123",
    max_request_bytes=1_000,
)


class Note(BaseModel):
    text: str


def notes_app() -> tuple[FastAPI, list[str]]:
    seen: list[str] = []
    router = APIRouter()

    @router.post("/notes")
    async def create_note(note: Note) -> dict[str, int]:
        seen.append(note.text)
        return {"length": len(note.text)}

    app = create_service_api(SETTINGS, title="Notes", routers=[router], readiness={})
    return app, seen


async def post(app: FastAPI, **kwargs: object) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        return await client.post("/api/v1/schedules/notes", **kwargs)  # type: ignore[arg-type]


async def test_a_body_within_the_cap_reaches_the_route() -> None:
    app, seen = notes_app()
    response = await post(app, json={"text": "x" * 900})
    assert response.status_code == 200
    assert seen == ["x" * 900]


async def test_a_declared_length_over_the_cap_is_refused_with_a_problem() -> None:
    app, seen = notes_app()
    response = await post(app, json={"text": "x" * 2_000})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert response.json()["code"] == "body_too_large"
    assert seen == []


async def test_a_chunked_body_is_cut_off_once_it_passes_the_cap() -> None:
    app, seen = notes_app()
    chunks_read: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for n in range(100):
            chunks_read.append(n)
            yield b"x" * 100
        yield b'"}'

    response = await post(app, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    assert seen == []
    assert len(chunks_read) < 20  # stopped reading soon after the cap, not at the end
