"""Wiring: settings from the service's own env prefix; an app that connects to nothing."""

import httpx
import pytest

from booking.app import build_app
from booking.config import Settings


def test_settings_come_from_the_booking_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOOKING_HTTP_PORT", "9123")
    monkeypatch.setenv("BOOKING_KAFKA_BOOTSTRAP_SERVERS", "k1:9092,k2:9092")
    monkeypatch.setenv("HTTP_PORT", "1")  # another service's or an unprefixed variable
    settings = Settings()
    assert settings.service_name == "booking"
    assert settings.http_port == 9123
    assert settings.kafka_servers == ["k1:9092", "k2:9092"]


async def test_the_app_connects_to_nothing_until_started_and_serves_docs_under_its_prefix() -> None:
    app = build_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
    # No lifespan runs here: an app that connected while being built would fail already.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        assert (await client.get("/api/v1/booking/openapi.json")).status_code == 200


def test_an_empty_schedules_url_means_schedules_is_not_deployed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BOOKING_SCHEDULES_URL", "")
    assert Settings().schedules_url is None
