"""An appointment's audit trail: only for an appointment the tenant has."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def test_the_trail_of_an_unknown_or_another_tenants_appointment_is_not_found(
    shared_booking: Any, clinic_opener: Callable[..., Any]
) -> None:
    mine = await clinic_opener(shared_booking, uuid4())
    theirs = await clinic_opener(shared_booking, uuid4())
    booked = await theirs.booking.client.post(
        f"{API}/appointments", json=theirs.body(theirs.at(2, 10)), headers=theirs.admin
    )
    assert booked.status_code == 201, booked.text
    own = await theirs.booking.client.get(
        f"{API}/appointments/{booked.json()['id']}/audit", headers=theirs.admin
    )
    assert [entry["action"] for entry in own.json()] == ["booked"]

    for appointment_id in (uuid4(), booked.json()["id"]):
        response = await mine.booking.client.get(
            f"{API}/appointments/{appointment_id}/audit", headers=mine.admin
        )
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "appointment_not_found"
