"""Benchmark D: schedules' availability queries over HTTP, one client, at 1x, 10x and 100x.

The service runs as its own process (`python -m schedules serve`) on a database seeded with a
clinic of 50 practitioners (see `schedules_seed`); the bench asks it, one request at a time,
for one practitioner's day, for the 50 x 7-day range search and for booking's check.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from pydantic import SecretStr

from clinic_bench.deadline import BenchFailure, limit, progress
from clinic_bench.report import Figure, section
from clinic_bench.schedules_seed import PRACTITIONERS, ZONE, Seeded, seed
from clinic_bench.stack import Servers, describe_postgres
from clinic_platform.auth import issue_token
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.migrations import upgrade
from clinic_platform.store.sessions import create_engine, create_sessions
from clinic_testkit import create_database, drop_database, free_ports

API = "/api/v1/schedules"
NAME = "D. schedules HTTP"
TITLE = "Schedules: availability queries over HTTP (slots, 50 x 7-day range search, check)"
COMMAND = "uv run python -m clinic_bench schedules-http  (make bench runs every benchmark)"
WARMUP, DAY_RUNS, RANGE_RUNS, CHECK_RUNS = 30, 400, 100, 300
SCALES = (1, 10, 100)


def _runs(runs: int, scale: int) -> int:
    """Fewer timed requests at 100x, where each takes long enough to be measured well."""
    return runs if scale < 100 else max(20, runs // 5)


TARGETS_MS = {"day": 20.0, "range": 200.0}
Request = Callable[[int], Awaitable[httpx.Response]]


class SchedulesProcess:
    """`python -m schedules serve`: started, awaited on /readyz, stopped with SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.base_url = f"http://127.0.0.1:{env['SCHEDULES_HTTP_PORT']}"
        self._env, self._log_path = env, log_path
        self._process: subprocess.Popen[bytes] | None = None

    def _spawn(self) -> subprocess.Popen[bytes]:
        with self._log_path.open("wb") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "schedules", "serve"],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def __aenter__(self) -> SchedulesProcess:
        self._process = self._spawn()  # forks and returns; readiness is awaited below
        try:
            await until_ready(self.base_url, self._process, 60.0)
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def __aexit__(self, *_: object) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(process.wait, 20.0)
            except subprocess.TimeoutExpired:
                process.kill()

    def log_tail(self, lines: int = 40) -> str:
        """The end of the service's log."""
        try:
            return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


async def until_ready(base_url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait for /readyz to answer 200, or fail if the process exits or time runs out."""
    began = time.monotonic()
    async with httpx.AsyncClient(base_url=base_url, timeout=2.0) as client:
        while time.monotonic() - began < timeout_s:
            if process.poll() is not None:
                raise BenchFailure("schedules service exited during start-up")
            try:
                if (await client.get("/readyz")).status_code == 200:
                    progress(f"schedules service ready in {time.monotonic() - began:.1f} s")
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise BenchFailure(f"schedules service not ready in {timeout_s:.0f} s")


def _environment(database_url: str, bootstrap: str, port: int, secret: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHEDULES_")}
    env.update(
        SCHEDULES_DATABASE_URL=database_url,
        SCHEDULES_KAFKA_BOOTSTRAP_SERVERS=bootstrap,
        SCHEDULES_HTTP_HOST="127.0.0.1",
        SCHEDULES_HTTP_PORT=str(port),
        SCHEDULES_JWT_SECRET=secret,
    )
    return env


def _percentile(samples: list[float], q: float) -> float:
    """Nearest-rank percentile of the samples (milliseconds)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


async def _timed(request: Request, runs: int, what: str) -> tuple[list[float], httpx.Response]:
    """Warm up, then time `runs` sequential requests (ms); every answer must be a 200."""
    for n in range(WARMUP):
        await request(n)
    samples, last = [], None
    for n in range(runs):
        began = time.perf_counter()
        last = await request(n)
        samples.append((time.perf_counter() - began) * 1000)
        if last.status_code != 200:
            raise BenchFailure(f"{what}: answered {last.status_code}: {last.text[:300]}")
    assert last is not None
    return samples, last


def _figure(scale: int, metric: str, samples: list[float], note: str, target: str = "") -> Figure:
    p50, p95 = _percentile(samples, 50), _percentile(samples, 95)
    value = f"**p50 {p50:.1f} · p95 {p95:.1f} ms** (max {max(samples):.1f})"
    if target in TARGETS_MS and scale <= 10:  # 100x measures growth, not a realistic clinic
        met = "met" if p95 <= TARGETS_MS[target] else "MISSED"
        note += f"; target p95 ≤ {TARGETS_MS[target]:g} ms: {met}"
    return Figure(NAME, f"{scale}x: {metric}", value, note)


async def _measure(client: httpx.AsyncClient, s: Seeded) -> list[Figure]:
    kind = str(s.type_id)
    weekdays = s.week[:5]

    async def day(n: int) -> httpx.Response:
        who, on = s.practitioners[n % PRACTITIONERS], weekdays[n // PRACTITIONERS % 5]
        path = f"{API}/practitioners/{who}/availability/slots"
        return await client.get(path, params={"date": on.isoformat(), "appointment_type_id": kind})

    async def week(n: int) -> httpx.Response:
        params = {"from": s.week[0].isoformat(), "to": s.week[-1].isoformat()}
        return await client.get(
            f"{API}/availability", params={**params, "appointment_type_id": kind}
        )

    async def check(n: int) -> httpx.Response:
        start = datetime.combine(weekdays[n % 5], datetime.min.time()).replace(tzinfo=UTC)
        start += timedelta(hours=8, minutes=30 * (n % 16))
        params = {"practitioner_id": str(s.practitioners[n % PRACTITIONERS])}
        params |= {"location_id": str(s.location_id), "start": start.isoformat()}
        params |= {"end": (start + timedelta(minutes=30)).isoformat()}
        return await client.get(f"{API}/availability/check", params=params)

    day_runs, range_runs, check_runs = (
        _runs(n, s.scale) for n in (DAY_RUNS, RANGE_RUNS, CHECK_RUNS)
    )
    progress(f"schedules-http {s.scale}x: one practitioner-day, {day_runs} requests")
    day_ms, answer = await _timed(day, day_runs, "slots")
    slots = len(answer.json()["slots"])
    progress(f"schedules-http {s.scale}x: 50 x 7-day range search, {range_runs} requests")
    week_ms, page = await _timed(week, range_runs, "range search")
    progress(f"schedules-http {s.scale}x: booking's check, {check_runs} requests")
    check_ms, _ = await _timed(check, check_runs, "check")
    shown = len(page.json()["items"])
    return [
        _figure(
            s.scale,
            "one practitioner-day slots",
            day_ms,
            f"{day_runs} requests over 50 practitioners x 5 weekdays; last answer {slots} slots",
            "day",
        ),
        _figure(
            s.scale,
            f"range search {PRACTITIONERS} practitioners x 7 days",
            week_ms,
            f"{range_runs} requests; first page (limit 100, {shown} slots) of the ranked week",
            "range",
        ),
        _figure(
            s.scale,
            "availability/check (booking's call)",
            check_ms,
            f"{check_runs} requests, rules only",
        ),
    ]


def _migrations() -> Path:
    # schedules.app.MIGRATIONS at run time: the service package ships no type information.
    return Path(importlib.import_module("schedules.app").MIGRATIONS)


async def _one_scale(
    servers: Servers, scale: int, secret: str, tmp: Path
) -> tuple[list[Figure], Seeded, str]:
    database = create_database(servers.postgres, f"bench_schedules_{scale}x")
    try:
        await asyncio.to_thread(upgrade, _migrations(), database.url)
        progress(f"schedules-http {scale}x: seeding {PRACTITIONERS} practitioners")
        seeded = await asyncio.to_thread(seed, database.admin_dsn, scale, datetime.now(UTC).date())
        engine = create_engine(database.url)
        try:
            postgres = await describe_postgres(create_sessions(engine), servers.postgres)
        finally:
            await engine.dispose()
        (port,) = free_ports(1)
        env = _environment(database.url, servers.broker.bootstrap_servers, port, secret)
        settings = ServiceSettings(service_name="schedules", jwt_secret=SecretStr(secret))
        token = issue_token(
            settings, subject="bench", tenant_id=seeded.tenant_id, roles=["receptionist"]
        )
        service = SchedulesProcess(env, tmp / f"schedules-{scale}x.log")
        try:
            async with (
                limit(300, f"schedules-http {scale}x"),
                service,
                httpx.AsyncClient(
                    base_url=service.base_url,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=30.0,
                ) as client,
            ):
                figures = await _measure(client, seeded)
        except BenchFailure as exc:
            raise BenchFailure(f"{exc}\nservice log tail:\n{service.log_tail()}") from exc
    finally:
        drop_database(servers.postgres, database)
    return figures, seeded, postgres


async def run_schedules_http(servers: Servers) -> tuple[str, list[Figure]]:
    """Every scale, each on a fresh database and service process; the finished docs section."""
    began, load = time.monotonic(), os.getloadavg()
    secret = secrets.token_urlsafe(32)
    figures: list[Figure] = []
    rows: dict[int, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="clinic-bench-schedules-") as tmp:
        for scale in SCALES:
            found, seeded, postgres = await _one_scale(servers, scale, secret, Path(tmp))
            figures += found
            rows[scale] = seeded.rows
    details = (
        "service: `python -m schedules serve` as its own process (one uvicorn worker, logging "
        "to a file), on a fresh migrated database per scale (rows written as the superuser, "
        "then ANALYZE); tenant RLS applies to every query the service makes",
        f"workload: one tenant, {PRACTITIONERS} active practitioners at one location "
        f"({ZONE}, clinic hours Mon-Sat 08-19, a holiday and a closed date), one 30-minute "
        "type with 5/5-minute buffers, 60-minute notice; one client (`httpx.AsyncClient`), "
        "sequential requests, each after the previous answer",
        *(
            f"{scale}x rows: " + ", ".join(f"{name} {count:,}" for name, count in counts.items())
            for scale, counts in rows.items()
        ),
    )
    notes = [
        f"Each figure: {WARMUP} warm-up requests first, then the timed ones, measured around "
        "the client call (so it includes HTTP, JSON and the token check).",
        "Per practitioner at 1x: a weekly template of two intervals each weekday, 3 exceptions "
        "(every other Wednesday blocked 15-17, first Saturday of the month available 9-12, one "
        "one-off block), a week of approved leave, 60 appointments and 40 external busy "
        "intervals over the next 31 days. 10x and 100x: ten and a hundred times each (extra "
        "template intervals overlap, extra leave is an hour each), so the bookings crowd the "
        "days; the targets apply to realistic rules (1x, and 10x for headroom), while 100x "
        "shows how cost grows: roughly linearly with the rows a request must read and subtract.",
        "How the service answers: one `load_rules` per request brings every practitioner's "
        "rules, occupations and busy times in two SQL statements (JSON columns), whatever their "
        "number; occupations are read through the (tenant_id, blocked_from) index of migration "
        "0005, as under forced RLS only leakproof quals (uuid =, timestamptz <) can drive an "
        "index scan. The engine then runs once per practitioner and location.",
        "The service calls `gc.freeze()` after start-up (clinic_platform.runtime): before it, "
        "full (generation 2) collections rescanning every loaded module put the range search "
        "p95 at 101 ms (1x) and 241 ms (10x) in this benchmark.",
        "Client, service, PostgreSQL and Kafka share the machine's 2 cores.",
        f"Load average (1 min) at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}.",
        f"Whole run (migrations, seeding, service starts, requests): "
        f"{time.monotonic() - began:.0f} s.",
    ]
    text = section(
        figures,
        postgres=postgres,
        kafka=servers.kafka,
        notes=notes,
        name="schedules-http",
        title=TITLE,
        command=COMMAND,
        details=details,
    )
    return text, figures
