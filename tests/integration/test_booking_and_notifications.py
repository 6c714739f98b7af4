"""Bookings made in the real booking service reach patients through the real broker and the
real notifications service, once each, even when notifications is killed mid-batch."""

# ruff: noqa: RUF001  (full-width punctuation is correct in Traditional Chinese text)
from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from aiosmtpd.controller import Controller

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.auth import issue_token
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.settings import ServiceSettings
from clinic_testkit.infrastructure import free_ports
from clinic_testkit.topic_reader import skip_group_to_end

pytestmark = pytest.mark.integration
ZONE = "Asia/Taipei"  # UTC+8, no DST


class Mailbox:
    """A real SMTP server's accepted messages; `delay_s` keeps each session open a while."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay_s)
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self.lock:
            self.messages.append(parsed)
        return "250 OK"

    def wait(self, count: int, timeout_s: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    break
            time.sleep(0.05)
        with self.lock:
            return list(self.messages)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_ports(1)[0]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def local(days: int, hour: int, minute: int = 0) -> str:
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(ZONE)).isoformat()


def seed(api: str, admin: dict[str, str], practitioners: int = 1) -> dict[str, Any]:
    def create(path: str, body: dict[str, Any]) -> str:
        response = httpx.post(f"{api}{path}", json=body, headers=admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    location = create("/locations", {"name": "大安診所", "timezone": ZONE})
    return {
        "location_id": location,
        "practitioners": [
            create(
                "/practitioners",
                {"display_name": f"林醫師 {n}", "status": "active", "location_ids": [location]},
            )
            for n in range(practitioners)
        ],
        "appointment_type_id": create(
            "/appointment-types",
            {
                "slug": "first-visit",
                "name": "初診評估",
                "duration_minutes": 30,
                "price": "800.00",
                "currency": "TWD",
            },
        ),
        "patient_id": create(
            "/patients",
            {
                "name": "陳小姐",
                "email": "chen@example.org",
                "preferred_language": "zh-Hant",
                "preferred_channel": "email",
            },
        ),
    }


def book(
    api: str, admin: dict[str, str], clinic: dict[str, Any], practitioner: int, start: str
) -> str:
    response = httpx.post(
        f"{api}/appointments",
        json={
            "appointment_type_id": clinic["appointment_type_id"],
            "location_id": clinic["location_id"],
            "practitioner_ids": [clinic["practitioners"][practitioner]],
            "patient_id": clinic["patient_id"],
            "start_at": start,
        },
        headers=admin,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def start_pair(launch_service: Any, kafka_bootstrap: str, smtp_port: int, **extra: str) -> Any:
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    for topic in CONSUMER_GROUPS["notifications"]:  # skip what earlier tests left on the topics
        asyncio.run(skip_group_to_end(kafka_bootstrap, "notifications", topic))
    booking = launch_service("booking", schedules_url="")
    settings = {
        "smtp_port": str(smtp_port),
        "delivery_retry_waits_s": "[0.05, 0.1]",
        "provider_timeout_s": "1",
        "dispatch_poll_interval_s": "0.05",
    }
    notifications = launch_service("notifications", **{**settings, **extra})
    return booking, notifications


def system_db(service: Any) -> psycopg.Connection[Any]:
    """The service's database across tenants (row-level security admits the system)."""
    db = psycopg.connect(service.database_url.replace("+psycopg", ""), autocommit=True)
    db.execute("SELECT set_config('app.system', 'on', false)")
    return db


def admin_headers() -> dict[str, str]:
    token = issue_token(ServiceSettings(), subject="desk", tenant_id=uuid4(), roles=["admin"])
    return {"Authorization": f"Bearer {token}"}


def test_a_booking_gets_one_confirmation_and_a_cancellation_withdraws_its_reminders(
    launch_service: Any, kafka_bootstrap: str, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    booking, notifications = start_pair(launch_service, kafka_bootstrap, port)
    api, notes = (
        f"{booking.base_url}/api/v1/booking",
        f"{notifications.base_url}/api/v1/notifications",
    )
    admin = admin_headers()
    clinic = seed(api, admin)
    appointment = book(api, admin, clinic, 0, local(3, 10))

    [confirmation] = box.wait(1)
    assert confirmation["To"] == "chen@example.org"
    assert confirmation["Subject"].startswith("預約已收到：")
    assert "上午10:00 (台北標準時間)" in confirmation["Subject"]
    text = confirmation.get_body(("plain",)).get_content()
    assert "• 治療師：林醫師 0" in text
    assert "• 項目：初診評估" in text
    assert "• 地點：大安診所" in text
    time.sleep(1.5)
    assert len(box.wait(1)) == 1  # exactly one

    reminders = httpx.get(f"{notes}/appointments/{appointment}/reminders", headers=admin).json()
    assert [r["state"] for r in reminders] == ["scheduled", "scheduled"]
    cancel = httpx.post(
        f"{api}/appointments/{appointment}/cancel", json={"reason": "醫師臨時請假"}, headers=admin
    )
    assert cancel.status_code == 200, cancel.text
    notice = box.wait(2)[1]
    assert notice["Subject"].startswith("預約取消通知：")
    body = notice.get_body(("plain",)).get_content()
    assert "您的預約已被取消：" in body
    assert "• 原因：醫師臨時請假" in body
    assert "請回覆「重新預約」" in body
    reminders = httpx.get(f"{notes}/appointments/{appointment}/reminders", headers=admin).json()
    assert [r["state"] for r in reminders] == ["withdrawn", "withdrawn"]


def test_notifications_killed_mid_batch_and_restarted_sends_nothing_twice_and_misses_nothing(
    launch_service: Any, kafka_bootstrap: str, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    box.delay_s = 0.3  # each SMTP session stays open a while: the kill lands mid-send
    booking, notifications = start_pair(
        launch_service, kafka_bootstrap, port, delivery_lease_s="6", dispatch_concurrency="4"
    )
    api = f"{booking.base_url}/api/v1/booking"
    admin = admin_headers()
    clinic = seed(api, admin, practitioners=3)
    total = 36
    for n in range(total):  # 3 practitioners x 12 half-hour slots
        book(api, admin, clinic, n % 3, local(2, 9 + (n // 3) // 2, 30 * ((n // 3) % 2)))

    box.wait(4)
    with system_db(notifications) as db:  # kill while sends are under way
        for _ in range(200):
            row = db.execute("SELECT count(*) FROM deliveries WHERE state = 'sending'").fetchone()
            if row is not None and row[0] > 0:
                break
            time.sleep(0.01)
    assert notifications.process is not None
    notifications.process.kill()  # SIGKILL: no graceful anything
    notifications.process.wait()
    with system_db(notifications) as db:
        in_flight = {
            str(row[0])
            for row in db.execute("SELECT id FROM deliveries WHERE state = 'sending'").fetchall()
        }
        sent_before = db.execute("SELECT count(*) FROM deliveries WHERE state = 'sent'").fetchone()
    received_at_kill = len(box.wait(0))
    assert sent_before is not None
    assert 0 < received_at_kill < total, "the kill must land in the middle of the batch"
    assert in_flight, "some sends were under way at the kill"

    notifications.start()
    box.wait(total, timeout_s=90)
    time.sleep(2)
    ids = Counter(m["X-Clinic-Delivery-Id"] for m in box.wait(0))
    assert len(ids) == total  # misses nothing
    twice = {delivery for delivery, count in ids.items() if count > 1}
    # Only a message whose send was under way at the kill may arrive again (at-least-once in
    # that window, same Message-ID); anything marked sent is never sent again.
    assert twice <= in_flight
    assert sum(ids.values()) - len(ids) <= len(in_flight)
    with system_db(notifications) as db:
        states = dict(
            db.execute("SELECT state, count(*) FROM deliveries GROUP BY state").fetchall()
        )
    assert states == {"sent": total}
