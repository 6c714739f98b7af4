"""The sweeper marks lapsed holds released and publishes that they expired."""

from __future__ import annotations

import json
from typing import Any

import psycopg
import pytest

from booking.service.sweeper import sweep_once
from clinic_contracts import HoldReleased
from clinic_testkit.topic_reader import TopicReader

pytestmark = pytest.mark.integration
API = "/api/v1/booking"


async def test_a_lapsed_hold_is_released_once_and_its_expiry_published(
    clinic: Any, kafka_bootstrap: str
) -> None:
    c = clinic
    patient = c.booking.headers("patient", patient_id=c.patient_id)
    live = (
        await c.booking.client.post(f"{API}/holds", json=c.body(c.at(2, 10)), headers=patient)
    ).json()
    lapsed = (
        await c.booking.client.post(f"{API}/holds", json=c.body(c.at(2, 11)), headers=patient)
    ).json()
    with psycopg.connect(c.booking.admin_url.replace("+psycopg", "")) as db:
        db.execute(
            "UPDATE appointments SET expires_at = now() - interval '1 second' WHERE id = %s",
            (lapsed["id"],),
        )
    reader = await TopicReader(kafka_bootstrap, HoldReleased.topic).mark()

    runtime = c.booking.app.state.runtime
    assert await sweep_once(runtime) == 1
    assert await sweep_once(runtime) == 0

    staff = c.booking.headers("receptionist")
    swept = (await c.booking.client.get(f"{API}/appointments/{lapsed['id']}", headers=staff)).json()
    kept = (await c.booking.client.get(f"{API}/appointments/{live['id']}", headers=staff)).json()
    assert (swept["status"], swept["reason"]) == ("cancelled", "hold expired")
    assert kept["status"] == "held"
    found = await reader.read(
        lambda m: len(m) >= 1,
        timeout_s=30,
        accept=lambda m: (
            m.headers.get("ce_type") == HoldReleased.event_type
            and json.loads(m.value)["hold_id"] == lapsed["id"]
        ),
    )
    assert json.loads(found[0].value)["reason"] == "expired"
