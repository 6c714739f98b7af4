"""Notifications: booking committed → confirmation accepted by SMTP, and reminders per second.

The booking service runs as its own process; notifications runs in this process (its consumer,
dispatcher and reminder scheduler, as `serve` runs them); a real SMTP server (aiosmtpd) in a
thread accepts the emails and stamps when each arrived.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager
from pydantic import SecretStr
from sqlalchemy import insert

from clinic_bench.booking_server import BookingProcess, booking_migrations, service_env
from clinic_bench.deadline import BenchFailure, limit, progress, until
from clinic_bench.report import Figure, section
from clinic_bench.stack import Servers, describe_postgres
from clinic_contracts import CONSUMER_GROUPS
from clinic_platform.auth import issue_token
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.migrations import upgrade
from clinic_platform.store.sessions import create_engine, create_sessions, system_transaction
from clinic_testkit import create_database, drop_database
from clinic_testkit.infrastructure import free_ports
from clinic_testkit.topic_reader import skip_group_to_end
from notifications.app import MIGRATIONS, build_app
from notifications.config import Settings
from notifications.store.tables import appointments, reminders

TITLE = "Notifications: booking → email, and reminders dispatched"
COMMAND = "uv run python -m clinic_bench notifications  (make bench runs every benchmark)"
BOOKINGS, RATE, REMINDERS = 100, 5.0, 1000
ZONE = "Asia/Taipei"


class Mailbox:
    """The SMTP server's side: when each recipient's message arrived (monotonic clock)."""

    def __init__(self) -> None:
        self.arrived: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.monotonic()
        to = str(message_from_bytes(envelope.content, policy=policy.default)["To"])
        with self.lock:
            self.arrived.setdefault(to, []).append(now)
        return "250 OK"

    def count(self, prefix: str = "") -> int:
        with self.lock:
            return sum(len(v) for k, v in self.arrived.items() if k.startswith(prefix))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _seed(client: httpx.AsyncClient, patients: int) -> dict[str, Any]:
    async def create(path: str, body: dict[str, Any]) -> str:
        response = await client.post(path, json=body)
        if response.status_code != 201:
            raise BenchFailure(f"seeding {path}: {response.status_code} {response.text[:200]}")
        return str(response.json()["id"])

    location = await create("/locations", {"name": "Da'an", "timezone": ZONE})
    practitioner_ids = [
        await create(
            "/practitioners",
            {"display_name": f"Dr. {n}", "status": "active", "location_ids": [location]},
        )
        for n in range(10)
    ]
    type_id = await create(
        "/appointment-types",
        {
            "slug": "visit",
            "name": "Visit",
            "duration_minutes": 30,
            "price": "1.00",
            "currency": "TWD",
            "max_future_days": 60,
        },
    )
    people = [
        await create(
            "/patients",
            {
                "name": f"P{n}",
                "email": f"p{n}@bench.example",
                "preferred_language": "en",
                "preferred_channel": "email",
            },
        )
        for n in range(patients)
    ]
    return {
        "location": location,
        "practitioners": practitioner_ids,
        "type": type_id,
        "patients": people,
    }


async def _latency(client: httpx.AsyncClient, box: Mailbox, seed: dict[str, Any]) -> list[float]:
    """Book at a steady pace; each latency is SMTP arrival minus the 201 answer's arrival."""
    day = datetime.now(UTC).date() + timedelta(days=3)
    committed: dict[str, float] = {}
    for n in range(BOOKINGS):
        practitioner, slot = n % 10, n // 10
        start = datetime(day.year, day.month, day.day, 1 + slot // 2, 30 * (slot % 2), tzinfo=UTC)
        response = await client.post(
            "/appointments",
            json={
                "appointment_type_id": seed["type"],
                "location_id": seed["location"],
                "practitioner_ids": [seed["practitioners"][practitioner]],
                "patient_id": seed["patients"][n],
                "start_at": start.isoformat(),
            },
        )
        committed[f"p{n}@bench.example"] = time.monotonic()
        if response.status_code != 201:
            raise BenchFailure(f"booking {n}: {response.status_code} {response.text[:200]}")
        await asyncio.sleep(1 / RATE)
    await until(lambda: box.count("p") >= BOOKINGS, timeout_s=60, what="all confirmations")
    return [(box.arrived[to][0] - at) * 1000 for to, at in committed.items()]


async def _reminders(settings: Settings, box: Mailbox, seed: dict[str, Any]) -> tuple[float, float]:
    """Plan REMINDERS due now in one transaction; (seconds until the last email, first email)."""
    engine = create_engine(settings.database_url)
    now = datetime.now(UTC)
    try:
        async with system_transaction(create_sessions(engine)) as session:
            tenant = (await session.execute(appointments.select().limit(1))).mappings().one()
            # Start 90 min ahead with a 120-min reminder: all due 30 min ago (late, still useful).
            rows = [
                (uuid4(), now + timedelta(minutes=90, milliseconds=n)) for n in range(REMINDERS)
            ]
            await session.execute(
                insert(appointments),
                [
                    {
                        "tenant_id": tenant["tenant_id"],
                        "id": r[0],
                        "event_time": now,
                        "patient_id": UUID(seed["patients"][0]),
                        "practitioner_id": tenant["practitioner_id"],
                        "location_id": tenant["location_id"],
                        "appointment_type_id": tenant["appointment_type_id"],
                        "start_at": r[1],
                        "end_at": r[1] + timedelta(minutes=30),
                        "status": "confirmed",
                    }
                    for r in rows
                ],
            )
            await session.execute(
                insert(reminders),
                [
                    {
                        "tenant_id": tenant["tenant_id"],
                        "appointment_id": r[0],
                        "start_at": r[1],
                        "offset_minutes": 120,
                        "due_at": r[1] - timedelta(minutes=120),
                    }
                    for r in rows
                ],
            )
    finally:
        await engine.dispose()
    began, before = time.monotonic(), box.count("p0@")
    first = await until(lambda: box.count("p0@") > before, timeout_s=60, what="first reminder")
    last = await until(
        lambda: box.count("p0@") >= before + REMINDERS, timeout_s=300, what="all reminders"
    )
    return last - began, first - began


async def run_notifications(servers: Servers) -> tuple[str, list[Figure]]:
    """The whole notifications benchmark on the servers; the finished docs section."""
    began, load = time.monotonic(), os.getloadavg()
    box, (smtp_port, http_port) = Mailbox(), free_ports(2)
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    booking_db = create_database(servers.postgres, "bench_booking")
    notes_db = create_database(servers.postgres, "bench_notifications")
    bootstrap = servers.broker.bootstrap_servers
    try:
        progress("notifications: migrating booking and notifications databases")
        await asyncio.to_thread(upgrade, booking_migrations(), booking_db.url)
        await asyncio.to_thread(upgrade, MIGRATIONS, notes_db.url)
        for topic in CONSUMER_GROUPS["notifications"]:
            await skip_group_to_end(bootstrap, "notifications", topic)
        secret = secrets.token_urlsafe(32)
        token = issue_token(
            ServiceSettings(jwt_secret=SecretStr(secret)),
            subject="bench",
            tenant_id=uuid4(),
            roles=["admin"],
        )
        settings = Settings(
            database_url=notes_db.url,
            kafka_bootstrap_servers=bootstrap,
            smtp_port=smtp_port,
            reminder_poll_interval_s=0.5,
        )
        engine = create_engine(notes_db.url)
        postgres = await describe_postgres(create_sessions(engine), servers.postgres)
        await engine.dispose()
        with tempfile.TemporaryDirectory(prefix="clinic-bench-notifications-") as tmp:
            env = service_env(booking_db.url, bootstrap, http_port, secret)
            async with (
                limit(600, "notifications benchmark"),
                BookingProcess(env, Path(tmp) / "booking.log") as booking,
                LifespanManager(build_app(settings), startup_timeout=30, shutdown_timeout=30),
                httpx.AsyncClient(
                    base_url=f"{booking.base_url}/api/v1/booking",
                    timeout=10,
                    headers={"Authorization": f"Bearer {token}"},
                ) as client,
            ):
                progress("notifications: seeding the catalog and patients through booking")
                seed = await _seed(client, BOOKINGS)
                progress(f"notifications: {BOOKINGS} bookings at {RATE:g}/s")
                latencies = await _latency(client, box, seed)
                progress(f"notifications: {REMINDERS} due reminders")
                elapsed, first = await _reminders(settings, box, seed)
    finally:
        controller.stop()
        drop_database(servers.postgres, booking_db)
        drop_database(servers.postgres, notes_db)
    figures = [
        Figure(
            "E. booking → email",
            "latency, 201 answered → SMTP accepted",
            f"**p50 {_pct(latencies, 0.5):,.0f} · p95 {_pct(latencies, 0.95):,.0f} · "
            f"max {max(latencies):,.0f} ms**",
            f"{BOOKINGS} bookings at {RATE:g}/s, one confirmation email each",
        ),
        Figure(
            "F. reminders",
            "dispatched",
            f"**{REMINDERS / elapsed:,.0f} reminders/s**",
            f"{REMINDERS} due at once → {REMINDERS} emails accepted in {elapsed:.1f} s "
            f"(first after {first:.2f} s)",
        ),
    ]
    notes = [
        "E: the booking service as its own process (schedules not deployed); its outbox relay "
        "publishes `AppointmentBooked`, the notifications consumer plans the delivery in the "
        "inbox transaction, the dispatcher (poll 0.2 s when idle, 8 in flight) composes and "
        "sends it over SMTP to aiosmtpd on loopback. The clock stops when the server has the "
        "whole message.",
        "F: reminder rows (and their appointments) inserted straight into the notifications "
        "database, all due already (a 120-min reminder of appointments 90 min ahead); the "
        "scheduler (poll 0.5 s, batches of 200, SKIP LOCKED) queues them and the dispatcher "
        "sends each over its own SMTP session; one replica.",
        f"Load average (1 min) at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}; "
        f"whole run {time.monotonic() - began:.0f} s.",
    ]
    text = section(
        figures,
        postgres=postgres,
        kafka=servers.kafka,
        notes=notes,
        name="notifications",
        title=TITLE,
        command=COMMAND,
    )
    return text, figures
