"""Wiring: settings from the service's own env prefix; an app that connects to nothing."""

import httpx
import pytest

from schedules.app import build_app
from schedules.config import Settings


def test_settings_come_from_the_schedules_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCHEDULES_HTTP_PORT", "9123")
    monkeypatch.setenv("SCHEDULES_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("HTTP_PORT", "1")  # another service's or an unprefixed variable
    settings = Settings()
    assert settings.service_name == "schedules"
    assert settings.http_port == 9123
    assert settings.kafka_servers == ["k1:9092", "k2:9092"]


async def test_the_app_connects_to_nothing_until_started_and_serves_docs_under_its_prefix() -> None:
    app = build_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    # No lifespan runs here: an app that connected while being built would fail already.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/api/v1/schedules/openapi.json")).status_code == 200
