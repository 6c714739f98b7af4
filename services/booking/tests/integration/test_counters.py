"""Booking counts appointments booked and cancelled on `/metrics` once committed, never refusals
or changes rolled back."""

from __future__ import annotations

from typing import Any

import pytest

from clinic_testkit.prometheus import Samples, counter_value, parse_samples

pytestmark = pytest.mark.integration
API = "/api/v1/booking"
COUNTER = "clinic_booking_appointments_total"


async def scrape(clinic: Any) -> Samples:
    response = await clinic.booking.client.get("/metrics")
    assert response.status_code == 200
    return parse_samples(response.text)


def outcome(samples: Samples, name: str) -> float:
    return counter_value(samples, COUNTER, outcome=name)


async def test_a_booking_and_its_cancellation_count_once_and_refused_bookings_not_at_all(
    clinic: Any,
) -> None:
    c = clinic
    manager = c.booking.headers("clinic_manager")
    before = await scrape(c)
    booked = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(14, 10)), headers=manager
    )
    assert booked.status_code == 201, booked.text
    taken = await c.booking.client.post(
        f"{API}/appointments", json=c.body(c.at(14, 10)), headers=manager
    )
    assert taken.status_code == 409
    # Its first occurrence is booked before the second collides; the refusal rolls both back.
    series = {**c.body(c.at(7, 10)), "rrule": "FREQ=WEEKLY;COUNT=2"}
    refused = await c.booking.client.post(f"{API}/series", json=series, headers=manager)
    assert refused.status_code == 409
    cancelled = await c.booking.client.post(
        f"{API}/appointments/{booked.json()['id']}/cancel",
        json={"reason": "patient moved away"},
        headers=manager,
    )
    assert cancelled.status_code == 200, cancelled.text
    after = await scrape(c)
    assert outcome(after, "booked") == outcome(before, "booked") + 1
    assert outcome(after, "cancelled") == outcome(before, "cancelled") + 1
    assert outcome(after, "confirmed") == outcome(before, "confirmed")
