"""Booking's question to schedules continues the trace of the booking request that asked it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx

from booking.clients.schedules import WorkingHours
from booking.config import Settings
from clinic_platform.telemetry import setup_telemetry, tracer

ZONE = ZoneInfo("Europe/London")
START = datetime(2026, 12, 7, 10, 0, tzinfo=ZONE).astimezone(UTC)


async def test_the_availability_check_carries_the_booking_requests_trace_as_traceparent() -> None:
    setup_telemetry("booking", None)
    sent: list[httpx.Request] = []

    def schedules(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"bookable": True, "rule": "weekly_template"})

    settings = Settings(schedules_url="http://schedules.test")
    hours = WorkingHours(settings, transport=httpx.MockTransport(schedules))
    try:
        with tracer("test").start_as_current_span("POST /appointments") as booking_request:
            verdict = await hours.verdict(
                uuid4(), uuid4(), START, START + timedelta(minutes=30), ZONE, "Bearer t"
            )
    finally:
        await hours.aclose()
    assert verdict.inside
    [check] = sent
    assert check.url.path == "/api/v1/schedules/availability/check"
    trace_id = format(booking_request.get_span_context().trace_id, "032x")
    assert check.headers["traceparent"].split("-")[1] == trace_id
    assert check.headers["authorization"] == "Bearer t"
