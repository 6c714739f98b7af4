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

from booking.config import Settings
from clinic_bench.booking_seed import API, PATIENTS, SLOTS, Clinic, headers
from clinic_bench.deadline import CpuMeter

CLIENTS, PER_CLIENT = 100, 40  # 4,000 requests at most
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


async def warm_up(client: httpx.AsyncClient, clinic: Clinic, settings: Settings) -> Counter[int]:
    """One booking per practitioner on the warm-up day (no conflicts): connections, caches,
    and the one refused call that opens the schedules breaker, all before the clock starts."""
    auth = headers(settings, clinic.tenant_id, "bench-warm-up", "receptionist")
    auth["Content-Type"] = "application/json"
    bodies = [
        json.dumps(clinic.body(p, clinic.start(clinic.warmup_day, 0), p)).encode()
        for p in range(len(clinic.practitioners))
    ]
    first = await _send(client, auth, bodies[0])  # alone: opens the breaker
    rest = await asyncio.gather(*(_send(client, auth, b) for b in bodies[1:]))
    return Counter(o.status for o in [first, *rest])


async def load(
    client: httpx.AsyncClient,
    clinic: Clinic,
    settings: Settings,
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
