"""The load: 100 concurrent receptionists booking random practitioners and slots over HTTP."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from clinic_bench.booking_seed import API, PATIENTS, SLOTS, Clinic, headers
from clinic_bench.deadline import CpuMeter
from clinic_bench.report import Figure
from clinic_platform.settings import ServiceSettings

CLIENTS, PER_CLIENT = 100, 30  # 3,000 requests at most
LOAD = "C. booking load"
PATH = f"{API}/appointments"


@dataclass(frozen=True)
class Outcome:
    """One request: its status (0: no answer), latency, and the problem code when refused."""

    status: int
    latency_ms: float
    code: str = ""


@dataclass
class Traffic:
    """Every outcome of the load and how long it took."""

    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    client_cpu: str = ""
    server_cpu_s: float = 0.0
    stopped_early: bool = False

    def latencies(self, status: int | None = None) -> list[float]:
        """Latencies (ms) of every request, or of those answered with `status`."""
        return [o.latency_ms for o in self.outcomes if status is None or o.status == status]

    def statuses(self) -> Counter[int]:
        """How many requests got each status."""
        return Counter(o.status for o in self.outcomes)

    def codes(self, status: int) -> Counter[str]:
        """Problem codes (or exception names) of the requests answered with `status`."""
        return Counter(o.code for o in self.outcomes if o.status == status)


def percentiles(values: list[float]) -> str:
    """`p50 · p95 · p99 · max` in milliseconds (nearest rank)."""
    if not values:
        return "n/a"
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return (
        f"p50 {rank(0.50):,.0f} · p95 {rank(0.95):,.0f} · p99 {rank(0.99):,.0f} · "
        f"max {ordered[-1]:,.0f} ms"
    )


def plan(clinic: Clinic, seed: int = 2026) -> list[list[bytes]]:
    """Each client's request bodies: random practitioner, candidate day and slot, patient."""
    rng = random.Random(seed)
    return [
        [
            json.dumps(
                clinic.body(
                    rng.randrange(len(clinic.practitioners)),
                    clinic.start(rng.choice(clinic.days), rng.randrange(SLOTS)),
                    rng.randrange(PATIENTS),
                )
            ).encode()
            for _ in range(PER_CLIENT)
        ]
        for _ in range(CLIENTS)
    ]


async def _send(client: httpx.AsyncClient, auth: dict[str, str], body: bytes) -> Outcome:
    began = time.perf_counter()
    try:
        response = await client.post(PATH, content=body, headers=auth)
    except httpx.HTTPError as exc:
        return Outcome(0, (time.perf_counter() - began) * 1000, type(exc).__name__)
    latency_ms = (time.perf_counter() - began) * 1000
    code = ""
    if response.status_code != 201:
        try:
            code = str(response.json().get("code", ""))
        except ValueError:
            code = response.text[:80]
    return Outcome(response.status_code, latency_ms, code)


async def warm_up(
    client: httpx.AsyncClient, clinic: Clinic, settings: ServiceSettings
) -> Counter[int]:
    """One booking per practitioner on the warm-up day (no conflicts): connections and caches
    warm before the clock starts."""
    auth = headers(settings, clinic.tenant_id, "bench-warm-up", "receptionist")
    auth["Content-Type"] = "application/json"
    bodies = [
        json.dumps(clinic.body(p, clinic.start(clinic.warmup_day, 0), p)).encode()
        for p in range(len(clinic.practitioners))
    ]
    outcomes = await asyncio.gather(*(_send(client, auth, b) for b in bodies))
    return Counter(o.status for o in outcomes)


async def alone(
    client: httpx.AsyncClient, clinic: Clinic, settings: ServiceSettings
) -> list[Outcome]:
    """Bookings by a single client, one after another, on free slots of the warm-up day."""
    auth = headers(settings, clinic.tenant_id, "bench-alone", "receptionist")
    auth["Content-Type"] = "application/json"
    count = len(clinic.practitioners)
    outcomes = []
    for i in range(2 * count):  # slots 2 and 4: clear of the warm-up's slot 0 and each other
        body = clinic.body(i % count, clinic.start(clinic.warmup_day, 2 + 2 * (i // count)), i)
        outcomes.append(await _send(client, auth, json.dumps(body).encode()))
    return outcomes


async def load(
    client: httpx.AsyncClient,
    clinic: Clinic,
    settings: ServiceSettings,
    *,
    limit_s: float,
    server_cpu: Callable[[], float],
) -> Traffic:
    """Run the clients to the end of their plans or until `limit_s` has passed."""
    plans = plan(clinic)
    auths = [
        headers(settings, clinic.tenant_id, f"bench-receptionist-{i:03d}", "receptionist")
        | {"Content-Type": "application/json"}
        for i in range(CLIENTS)
    ]
    traffic = Traffic()
    stop_at = time.monotonic() + limit_s

    async def receptionist(auth: dict[str, str], bodies: list[bytes]) -> None:
        for body in bodies:
            if time.monotonic() > stop_at:
                traffic.stopped_early = True
                return
            traffic.outcomes.append(await _send(client, auth, body))

    meter, cpu_before, began = CpuMeter(), server_cpu(), time.monotonic()
    await asyncio.gather(*(receptionist(a, b) for a, b in zip(auths, plans, strict=True)))
    traffic.seconds = time.monotonic() - began
    traffic.client_cpu = meter.share()
    traffic.server_cpu_s = server_cpu() - cpu_before
    return traffic


def figures(t: Traffic, alone: list[Outcome]) -> list[Figure]:
    """The load's figures; `alone`: the same request from one client at a time, for scale."""
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
            f"{CLIENTS} clients x up to {PER_CLIENT} requests, one after another each"
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
        Figure(
            LOAD,
            "latency, 1 client alone",
            percentiles([o.latency_ms for o in alone]),
            f"{len(alone)} conflict-free bookings one after another, before the load: "
            "service time without queueing",
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
