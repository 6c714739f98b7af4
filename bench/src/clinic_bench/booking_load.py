"""Benchmark C: bookings a second and their latency under conflicting load, then a SQL audit."""

from __future__ import annotations

import asyncio
import os
import secrets
import tempfile
import time
from pathlib import Path

import httpx

from booking.app import MIGRATIONS
from booking.config import Settings
from clinic_bench.booking_audit import Audit, audit
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
from clinic_bench.booking_server import BookingProcess, service_env
from clinic_bench.booking_traffic import CLIENTS, PER_CLIENT, Traffic, load, percentiles, warm_up
from clinic_bench.deadline import BenchFailure, limit, progress
from clinic_bench.report import Figure, section, table
from clinic_bench.stack import Servers, describe_postgres
from clinic_platform.store.migrations import upgrade
from clinic_platform.store.sessions import create_engine, create_sessions
from clinic_testkit import create_database, drop_database, free_ports

LOAD_LIMIT_S = 90.0
LOAD, AUDIT = "C. booking load", "D. SQL audit"
TITLE = "Booking: concurrent conflicting bookings over HTTP, then a double-booking audit"
COMMAND = (
    "make bench  (= uv run python -m clinic_bench; this section alone: … clinic_bench booking)"
)


def _load_figures(t: Traffic) -> list[Figure]:
    statuses = t.statuses()
    ok, taken = statuses[201], statuses[409]
    other = {s: n for s, n in statuses.items() if s not in (201, 409)}
    codes = ", ".join(f"{c or '?'} {n:,}" for c, n in t.codes(409).most_common())
    cores = t.server_cpu_s / t.seconds if t.seconds else 0.0
    return [
        Figure(
            LOAD,
            "requests",
            f"{len(t.outcomes):,} in {t.seconds:.1f} s",
            f"{CLIENTS} clients × up to {PER_CLIENT} requests, one after another each"
            + ("; ⚠ stopped at the time limit" if t.stopped_early else ""),
        ),
        Figure(
            LOAD,
            "throughput",
            f"**{len(t.outcomes) / t.seconds:,.0f} requests/s** · "
            f"**{ok / t.seconds:,.0f} bookings/s**",
            "bookings/s = 201 answers per second of load",
        ),
        Figure(
            LOAD,
            "answers",
            f"201: {ok:,} · 409: {taken:,} · other: {sum(other.values()):,}",
            f"409 codes: {codes or 'none'}"
            + (f"; other: {other} {t.codes(0) if 0 in other else ''}" if other else ""),
        ),
        Figure(
            LOAD, "latency, all", f"**{percentiles(t.latencies())}**", "client-side, per request"
        ),
        Figure(LOAD, "latency, 201 booked", percentiles(t.latencies(201)), ""),
        Figure(LOAD, "latency, 409 slot taken", percentiles(t.latencies(409)), ""),
        Figure(
            LOAD,
            "CPU during the load",
            f"service {cores:.0%} · bench client {t.client_cpu} of one core",
            "both on the same 2 cores (and whatever else runs on the machine)",
        ),
    ]


def _audit_figures(a: Audit, booked: int) -> list[Figure]:
    statuses = ", ".join(f"{s} {n:,}" for s, n in sorted(a.statuses.items()))
    return [
        Figure(
            AUDIT,
            "overlapping active occupations",
            f"**{a.occupation_overlaps}**",
            "pairs of one resource seat whose periods overlap (`occupations`)",
        ),
        Figure(
            AUDIT,
            "overlapping live appointments",
            f"**{a.appointment_overlaps}**",
            "pairs sharing a practitioner (`practitioner_ids &&`) whose buffered intervals overlap,"
            " from `appointments` alone",
        ),
        Figure(
            AUDIT,
            "201 answers = appointment rows",
            f"{booked:,} = {a.appointments:,}",
            f"warm-up included; statuses: {statuses}; active occupations {a.active_occupations:,};"
            f" busiest practitioner-day {a.busiest_day} bookings (at most {SLOTS // 2} fit)",
        ),
        Figure(
            AUDIT,
            "outbox after the load",
            f"{a.outbox_events:,} events, {a.outbox_unpublished:,} unpublished",
            "catalog, patient and appointment events written by the service",
        ),
    ]


def _check(t: Traffic, a: Audit, booked: int, figures: list[Figure]) -> None:
    problems = []
    if other := {s: n for s, n in t.statuses().items() if s not in (201, 409)}:
        problems.append(f"answers other than 201/409: {other}, codes {t.codes(0) or ''}")
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
        await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
        engine = create_engine(database.url)
        try:
            postgres = await describe_postgres(create_sessions(engine), servers.postgres)
        finally:
            await engine.dispose()
        secret = secrets.token_urlsafe(32)
        (port,) = free_ports(1)
        env = service_env(database.url, servers.broker.bootstrap_servers, port, secret)
        settings = Settings(jwt_secret=secret)  # mints the tokens the service verifies
        with tempfile.TemporaryDirectory(prefix="clinic-bench-booking-") as tmp:
            service = BookingProcess(env, Path(tmp) / "booking.log")
            try:
                async with limit(180, "booking benchmark"), service:
                    traffic, warm = await _drive(service, settings)
                    progress("booking: auditing the database")
                    found = await audit(database.admin_dsn, ZONE)
            except BenchFailure as exc:
                raise BenchFailure(f"{exc}\nservice log tail:\n{service.log_tail()}") from exc
    finally:
        drop_database(servers.postgres, database)
    booked = traffic.statuses()[201] + warm[201]
    figures = _load_figures(traffic) + _audit_figures(found, booked)
    _check(traffic, found, booked, figures)
    details = (
        f"service: `python -m booking serve` as its own process (one uvicorn worker, logging at "
        f"INFO to a file like `make up`), exit code {service.exit_code} after SIGTERM",
        f"workload: {CLIENTS} concurrent clients (one `httpx.AsyncClient`, pool of {CLIENTS}) in "
        f"one bench process; {PRACTITIONERS} active practitioners, {PATIENTS} patients, one "
        f"{DURATION}-minute type with buffers {BUFFER_BEFORE}/{BUFFER_AFTER} min; start times "
        f"drawn from {DAYS} weekdays × {SLOTS} half-hour starts 09:00–16:30 {ZONE}",
    )
    notes = [
        f"Candidate slots: {PRACTITIONERS} × {DAYS} × {SLOTS} = "
        f"{PRACTITIONERS * DAYS * SLOTS:,}. With buffers, neighbouring half-hour starts of one "
        f"practitioner overlap, so at most {SLOTS // 2} of a day's {SLOTS} fit: 409s come from "
        "the same slot and from its neighbours, both refused by the exclusion constraint.",
        "Each request is a direct booking (POST /api/v1/booking/appointments, receptionist "
        "token, no Idempotency-Key); latency is measured around the client call, so it "
        "includes queueing in the client pool and the server.",
        "Schedules is not running: the service is pointed at a closed local port with one "
        "attempt and a breaker that opens on the first failure, during the warm-up (20 "
        "conflict-free bookings, one per practitioner, before the clock starts); afterwards "
        "every booking uses the fallback hours without a network call.",
        "The client, the service, PostgreSQL and Kafka share the machine's 2 cores: the figures "
        "are a floor, set by the CPU rather than by locking.",
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


async def _drive(service: BookingProcess, settings: Settings) -> tuple[Traffic, dict[int, int]]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=service.base_url, limits=limits, timeout=30.0) as client:
        progress("booking: seeding the catalog and patients over HTTP")
        clinic = await seed(client, settings)
        warm = await warm_up(client, clinic, settings)
        if set(warm) != {201}:
            raise BenchFailure(f"booking warm-up: expected only 201s, got {dict(warm)}")
        progress(f"booking: load, {CLIENTS} clients × {PER_CLIENT} requests")
        traffic = await load(
            client, clinic, settings, limit_s=LOAD_LIMIT_S, server_cpu=service.cpu_seconds
        )
    return traffic, dict(warm)
