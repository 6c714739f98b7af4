# ruff: noqa: RUF001  (full-width punctuation is correct in Traditional Chinese text)
"""Appointment events through the real broker become emails and provider calls, exactly once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    NotificationFailed,
    NotificationSent,
)
from clinic_testkit.prometheus import counter_value, parse_samples
from clinic_testkit.topic_reader import TopicReader

pytestmark = pytest.mark.integration
API = "/api/v1/notifications"
TOPIC = NotificationSent.topic


def booked(clinic: Any, start: datetime) -> AppointmentBooked:
    return AppointmentBooked(
        appointment_id=uuid4(),
        patient_id=clinic.patient_id,
        practitioner_id=clinic.practitioner_id,
        practitioner_ids=[clinic.practitioner_id],
        location_id=clinic.location_id,
        appointment_type_id=clinic.type_id,
        start=start,
        end=start + timedelta(minutes=30),
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        status="pending",
    )


def cancelled(event: AppointmentBooked, reason: str) -> AppointmentCancelled:
    values = event.model_dump(exclude={"hold_id"})
    return AppointmentCancelled(
        **{**values, "status": "cancelled"}, cancelled_by="clinic", reason=reason
    )


def taipei_10am(days: int) -> datetime:
    """10:00 in Taipei (UTC+8, no DST), `days` from today."""
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


async def deliveries(service: Any, appointment_id: UUID) -> list[dict[str, Any]]:
    response = await service.client.get(
        f"{API}/appointments/{appointment_id}/deliveries", headers=service.headers("receptionist")
    )
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()
    return result


async def delivered(service: Any, outcome: str, channel: str) -> float:
    """`clinic_notifications_deliveries_total` as `/metrics` shows it now."""
    page = (await service.client.get("/metrics")).text
    labels = {"outcome": outcome, "channel": channel}
    return counter_value(parse_samples(page), "clinic_notifications_deliveries_total", **labels)


async def settle(service: Any, appointment_id: UUID, count: int) -> list[dict[str, Any]]:
    """The appointment's deliveries once `count` of them have finished (or 30 s passed)."""
    for _ in range(600):
        found = await deliveries(service, appointment_id)
        if sum(d["state"] in ("sent", "failed", "withdrawn") for d in found) >= count:
            return found
        await asyncio.sleep(0.05)
    return await deliveries(service, appointment_id)


async def test_a_booking_is_confirmed_once_in_the_patients_language_and_the_locations_time(
    service: Any, seed: Any
) -> None:
    clinic = await seed(language="zh-Hant", patient_zone="Europe/London")
    reader = await TopicReader(service.settings.kafka_bootstrap_servers, TOPIC).mark()
    sent_before = await delivered(service, "sent", "email")
    event = booked(clinic, taipei_10am(3))
    [message] = await service.feed.publish(event)
    await service.feed.send(message)  # Kafka redelivers the very same event

    [email] = await service.inbox.wait_for(clinic.email)
    assert email["Subject"].startswith("預約已收到：")
    assert "上午10:00 (台北標準時間)" in email["Subject"]
    text = email.get_body(("plain",)).get_content()
    assert "• 治療師：Dr. Lin" in text
    assert "（您的當地時間：" in text  # the patient lives in London: their time is shown too
    assert email["Content-Language"] == "zh-Hant"
    html = email.get_body(("html",)).get_content()
    assert '<html lang="zh-Hant">' in html

    [log] = await settle(service, event.appointment_id, 1)
    assert log["state"] == "sent"
    assert log["channel"] == "email"
    assert [a["outcome"] for a in log["attempt_log"]] == ["sent"]
    assert email["Message-ID"] == f"<{log['id']}@notifications.clinic>"
    published = await reader.read(lambda found: len(found) >= 1, timeout_s=15)
    assert [m.headers["ce_type"] for m in published] == [NotificationSent.event_type]
    assert NotificationSent.model_validate_json(published[0].value).delivery_id == UUID(log["id"])
    await asyncio.sleep(1.0)  # a second email would have arrived by now
    assert len(service.inbox.to(clinic.email)) == 1
    assert await delivered(service, "sent", "email") == sent_before + 1


async def test_a_cancellation_sends_the_notice_with_reason_and_withdraws_the_reminders(
    service: Any, seed: Any
) -> None:
    clinic = await seed(language="en")
    event = booked(clinic, taipei_10am(3))
    await service.feed.publish(event)
    await service.inbox.wait_for(clinic.email)
    path = f"{API}/appointments/{event.appointment_id}/reminders"
    reminders = (await service.client.get(path, headers=service.headers("receptionist"))).json()
    assert [(r["offset_minutes"], r["state"]) for r in reminders] == [
        (1440, "scheduled"),
        (120, "scheduled"),
    ]

    await service.feed.publish(cancelled(event, "Doctor unwell"))
    emails = await service.inbox.wait_for(clinic.email, count=2)
    notice = emails[1]
    assert notice["Subject"].startswith("Appointment cancelled:")
    body = notice.get_body(("plain",)).get_content()
    assert "- Reason: Doctor unwell" in body
    assert 'reply "rebook"' in body
    reminders = (await service.client.get(path, headers=service.headers("receptionist"))).json()
    assert {r["state"] for r in reminders} == {"withdrawn"}


async def test_a_provider_answering_500_is_retried_then_the_delivery_fails_and_is_published(
    service: Any, seed: Any
) -> None:
    service.provider.always = 500
    clinic = await seed(language="en", channel="sms")
    reader = await TopicReader(service.settings.kafka_bootstrap_servers, TOPIC).mark()
    failed_before = await delivered(service, "failed", "sms")
    event = booked(clinic, taipei_10am(3))
    await service.feed.publish(event)

    [log] = await settle(service, event.appointment_id, 1)
    attempts = service.settings.max_attempts
    assert log["state"] == "failed"
    assert log["channel"] == "sms"
    assert log["attempts"] == attempts
    assert [a["outcome"] for a in log["attempt_log"]] == ["retryable"] * attempts
    assert "500" in log["last_error"]
    assert log["body_text"].startswith("Dear 陳美玲")  # kept for inspection
    calls = service.provider.on("/messages")
    assert len(calls) == attempts
    assert {c["headers"]["idempotency-key"] for c in calls} == {log["id"]}
    assert calls[0]["json"] == {"to": "+886912345678", "text": log["body_text"]}
    published = await reader.read(lambda found: len(found) >= 1, timeout_s=15)
    failed = NotificationFailed.model_validate_json(published[0].value)
    assert published[0].headers["ce_type"] == NotificationFailed.event_type
    assert (failed.delivery_id, failed.attempts, failed.will_retry) == (
        UUID(log["id"]),
        attempts,
        False,
    )
    assert service.inbox.to(clinic.email) == []  # a failure does not switch channel silently
    assert await delivered(service, "failed", "sms") == failed_before + 1


async def test_line_is_used_when_preferred_and_a_missing_line_id_falls_back_to_email(
    service: Any, seed: Any
) -> None:
    clinic = await seed(language="zh-Hant", channel="line")
    event = booked(clinic, taipei_10am(4))
    await service.feed.publish(event)
    [push] = await service.provider.wait_for("/v2/bot/message/push")
    assert push["headers"]["authorization"] == "Bearer line-token"
    assert push["json"]["to"] == "U4af4980629"
    assert push["json"]["messages"][0]["text"].startswith("陳美玲 您好")
    [log] = await settle(service, event.appointment_id, 1)
    assert push["headers"]["x-line-retry-key"] == log["id"]
