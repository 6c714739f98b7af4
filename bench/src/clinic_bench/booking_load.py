"""Benchmark C: bookings a second and their latency under conflicting load, then a SQL audit."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
from pydantic import SecretStr

from clinic_bench.booking_audit import Audit, audit
from clinic_bench.booking_audit import figures as audit_figures
from clinic_bench.booking_seed import (
    BUFFER_AFTER,
    BUFFER_BEFORE,
    DAYS,
    DURATION,
    PATIENTS,
    PRACTITIONERS,
    SLOTS,
    ZONE,
    seed,
)
from clinic_bench.booking_server import BookingProcess, booking_migrations, service_env
from clinic_bench.booking_traffic import (
    CLIENTS,
    PER_CLIENT,
    Outcome,
    Traffic,
    alone,
    load,
    warm_up,
)
from clinic_bench.booking_traffic import figures as traffic_figures
from clinic_bench.deadline import BenchFailure, limit, progress
from clinic_bench.report import Figure, section, table
from clinic_bench.stack import Servers, describe_postgres
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.migrations import upgrade
from clinic_platform.store.sessions import create_engine, create_sessions
from clinic_testkit import create_database, drop_database, free_ports

LOAD_LIMIT_S = 90.0
TITLE = "Booking: concurrent conflicting bookings over HTTP, then a double-booking audit"
COMMAND = "uv run python -m clinic_bench booking  (make bench runs every benchmark)"


def _check(t: Traffic, a: Audit, booked: int, figures: list[Figure]) -> None:
    problems = []
    if other := {s: n for s, n in t.statuses().items() if s not in (201, 409)}:
        codes = {status: dict(t.codes(status)) for status in other}
        problems.append(f"answers other than 201/409 (0: no answer): {other}, codes {codes}")
    if a.occupation_overlaps or a.appointment_overlaps:
        problems.append(
            f"DOUBLE BOOKINGS: {a.occupation_overlaps} occupation pairs, "
            f"{a.appointment_overlaps} appointment pairs overlap"
        )
    if booked != a.appointments:
        problems.append(f"{booked} bookings answered 201 but {a.appointments} rows exist")
    if problems:
        raise BenchFailure("booking: " + "; ".join(problems) + "\n" + table(figures))


async def run_booking(servers: Servers) -> tuple[str, list[Figure]]:
    """The whole booking benchmark on the servers; the finished docs section."""
    began, load_before = time.monotonic(), os.getloadavg()
    database = create_database(servers.postgres, "bench_booking")
    try:
        progress("booking: migrating a fresh database with the service's migrations")
        await asyncio.to_thread(upgrade, booking_migrations(), database.url)
        engine = create_engine(database.url)
        try:
            postgres = await describe_postgres(create_sessions(engine), servers.postgres)
        finally:
            await engine.dispose()
        secret = secrets.token_urlsafe(32)
        (port,) = free_ports(1)
        env = service_env(database.url, servers.broker.bootstrap_servers, port, secret)
        # Mints the tokens the service verifies (same secret, HS256).
        settings = ServiceSettings(service_name="booking", jwt_secret=SecretStr(secret))
        with tempfile.TemporaryDirectory(prefix="clinic-bench-booking-") as tmp:
            service = BookingProcess(env, Path(tmp) / "booking.log")
            try:
                async with limit(180, "booking benchmark"), service:
                    traffic, warm, single = await _drive(service, settings)
                    progress("booking: auditing the database")
                    found = await audit(database.admin_dsn, ZONE)
            except BenchFailure as exc:
                raise BenchFailure(f"{exc}\nservice log tail:\n{service.log_tail()}") from exc
    finally:
        drop_database(servers.postgres, database)
    booked = traffic.statuses()[201] + warm[201] + len(single)
    figures = traffic_figures(traffic, single) + audit_figures(found, booked)
    _check(traffic, found, booked, figures)
    details = (
        f"service: `python -m booking serve` as its own process (one uvicorn worker, logging at "
        f"INFO to a file like `make up`); SIGTERM at the end: {service.ending}",
        f"workload: {CLIENTS} concurrent clients (one `httpx.AsyncClient`, pool of {CLIENTS}) in "
        f"one bench process; {PRACTITIONERS} active practitioners, {PATIENTS} patients, one "
        f"{DURATION}-minute type with buffers {BUFFER_BEFORE}/{BUFFER_AFTER} min; start times "
        f"drawn from {DAYS} weekdays x {SLOTS} half-hour starts 09:00-16:30 {ZONE}",
    )
    notes = [
        f"Candidate slots: {PRACTITIONERS} x {DAYS} x {SLOTS} = "
        f"{PRACTITIONERS * DAYS * SLOTS:,}. With buffers, neighbouring half-hour starts of one "
        f"practitioner overlap, so at most {SLOTS // 2} of a day's {SLOTS} fit: 409s come from "
        "the same slot and from its neighbours, both refused by the exclusion constraint.",
        "Each request is a direct booking (POST /api/v1/booking/appointments, receptionist "
        "token, no Idempotency-Key); latency is measured around the client call, so it "
        "includes queueing in the client pool and the server.",
        f"Before the clock starts: a warm-up of {PRACTITIONERS} conflict-free bookings (one per "
        f"practitioner) and {len(single)} by a single client; their rows are in the audit. "
        "Schedules is not deployed (`BOOKING_SCHEDULES_URL=` empty): every booking is checked "
        "against the fallback working hours (08:00-21:00 local) without a network call.",
        "The load is closed-loop: each client sends its next request when the previous one is "
        "answered, so latency under load is mostly queueing (clients / throughput); the "
        "single-client row is the service time. One uvicorn worker uses about one core and its "
        "database pool holds 20 connections (10 + 10 overflow) for the 100 clients.",
        "The client, the service, PostgreSQL and Kafka share the machine's 2 cores: the "
        "throughput is set by the service's CPU (one Python process), not by locking.",
        f"Load average (1 min) at start {load_before[0]:.1f}, at end {os.getloadavg()[0]:.1f}.",
        f"Whole run (migration, service start, seeding, load, audit): "
        f"{time.monotonic() - began:.0f} s.",
    ]
    text = section(
        figures,
        postgres=postgres,
        kafka=servers.kafka,
        notes=notes,
        name="booking",
        title=TITLE,
        command=COMMAND,
        details=details,
    )
    return text, figures


async def _drive(
    service: BookingProcess, settings: ServiceSettings
) -> tuple[Traffic, dict[int, int], list[Outcome]]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=service.base_url, limits=limits, timeout=30.0) as client:
        progress("booking: seeding the catalog and patients over HTTP")
        clinic = await seed(client, settings)
        warm = await warm_up(client, clinic, settings)
        single = await alone(client, clinic, settings)
        if set(warm) != {201} or {o.status for o in single} != {201}:
            found = dict(warm + Counter(o.status for o in single))
            raise BenchFailure(f"booking warm-up: expected only 201s, got {found}")
        progress(f"booking: load, {CLIENTS} clients x {PER_CLIENT} requests")
        traffic = await load(
            client, clinic, settings, limit_s=LOAD_LIMIT_S, server_cpu=service.cpu_seconds
        )
    return traffic, dict(warm), single
