"""Benchmark B: latency from an event's commit to the consuming service's handler applying it."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID, uuid4

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text

from clinic_bench.consumer_process import ConsumerProcess
from clinic_bench.deadline import BenchFailure, limit, progress
from clinic_bench.report import Figure
from clinic_bench.stack import Stack
from clinic_bench.workload import Clinics
from clinic_contracts import AppointmentConfirmed, dlq_topic
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.provisioning import TopicPlan, provision
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.sessions import system_transaction
from clinic_platform.store.unit_of_work import UnitOfWork

EVENTS, RATE, WARMUP = 1_000, 100.0, 20
TOPIC = AppointmentConfirmed.topic
NAME = "B. commit → consume"
# Falling behind the pace means the CPU, not the pipeline, set the figure: say so beside it.
SATURATED = f"; ⚠ commits fell behind {RATE:g}/s: CPU saturated, latency includes queueing"


async def _skip_history(bootstrap: str, group: str) -> None:
    # The group starts at `earliest`: commit the topic's end first so it skips benchmark A.
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([TOPIC])
    finally:
        await admin.close()
    tps = [TopicPartition(TOPIC, p["partition"]) for p in described[0]["partitions"]]
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.commit(await consumer.end_offsets(tps))
    finally:
        await consumer.stop()


async def _pickup_ms(stack: Stack, clinics: Clinics) -> str:
    """Percentiles of outbox created_at → published_at: how long rows waited for the relay."""
    query = text(
        "SELECT percentile_disc(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY "
        "extract(epoch FROM published_at - created_at) * 1000) FROM clinic_outbox "
        "WHERE tenant_id = ANY(:tenants)"
    )
    async with system_transaction(stack.sessions) as session:
        p50, p95, p99 = await session.scalar(query, {"tenants": clinics.tenants})
    return f"p50 {p50:,.0f} · p95 {p95:,.0f} · p99 {p99:,.0f} ms"


async def _commit_paced(
    stack: Stack, relay: OutboxRelay, clinics: Clinics, count: int, *, wake: bool
) -> dict[UUID, float]:
    """Commit `count` events at RATE a second, each its own unit of work; return commit times."""
    writer = OutboxWriter("booking")
    committed: dict[UUID, float] = {}
    began = time.monotonic()
    for n in range(count):
        await asyncio.sleep(max(0.0, began + n / RATE - time.monotonic()))
        tenant = clinics.tenants[n % len(clinics.tenants)]
        payload = clinics.confirmed(tenant)
        uow = UnitOfWork(stack.sessions, writer, tenant, on_commit=relay.wake if wake else None)
        async with uow:
            uow.record(payload)
            await uow.commit()
            committed[payload.appointment_id] = time.time()  # wall clock: compared across processes
    return committed


async def _all_applied(
    consumer: ConsumerProcess, committed: dict[UUID, float], timeout_s: float, what: str
) -> dict[UUID, float]:
    deadline = time.monotonic() + timeout_s
    while not committed.keys() <= (applied := await consumer.applied()).keys():
        if time.monotonic() > deadline:
            missing = len(committed.keys() - applied.keys())
            raise BenchFailure(f"{what}: {missing} of {len(committed)} never applied")
        await asyncio.sleep(0.1)
    return applied


async def _run(
    stack: Stack, consumer: ConsumerProcess, *, wake: bool
) -> tuple[list[float], float, str]:
    """One run on a fresh relay: sorted latencies (ms), achieved commit rate, relay pick-up."""
    poll = ServiceSettings().outbox_poll_interval_s
    relay = OutboxRelay(
        stack.sessions, [stack.bootstrap], client_id="bench-latency", poll_interval_s=poll
    )
    relay.start()
    try:
        # Warm-up: producer connected, consumer assigned and fetching before we measure.
        warm = await _commit_paced(stack, relay, Clinics.create(), WARMUP, wake=wake)
        await _all_applied(consumer, warm, 60, "B warm-up")
        async with limit(EVENTS / RATE * 3 + 30, "B paced commits"):
            clinics = Clinics.create()
            committed = await _commit_paced(stack, relay, clinics, EVENTS, wake=wake)
        applied = await _all_applied(consumer, committed, 60, "B measured events")
    finally:
        await relay.stop()
    times = sorted(committed.values())
    rate = (len(times) - 1) / (times[-1] - times[0])
    latencies = sorted((applied[k] - t) * 1000 for k, t in committed.items())
    return latencies, rate, await _pickup_ms(stack, clinics)


def _percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted `values`."""
    return values[min(len(values) - 1, max(0, round(q / 100 * len(values) + 0.5) - 1))]


def _figure(latencies: list[float], rate: float, pickup: str, mode: str) -> Figure:
    cells = [f"p{q} {_percentile(latencies, q):,.0f}" for q in (50, 95, 99)]
    return Figure(
        NAME,
        f"latency, {mode}",
        f"**{' · '.join(cells)} · max {latencies[-1]:,.0f} ms**",
        f"{len(latencies):,} events at {rate:,.0f}/s, each its own UnitOfWork; of which "
        f"waiting for the relay (outbox created_at → published_at): {pickup}"
        + (SATURATED if rate < 0.9 * RATE else ""),
    )


async def latency(stack: Stack) -> list[Figure]:
    """Polling-only relay, then relay woken by UnitOfWork.on_commit; one consumer group."""
    group = f"bench-latency-{uuid4().hex[:8]}"
    await provision([stack.bootstrap], [TopicPlan(dlq_topic(TOPIC, group), 1, {})])
    await _skip_history(stack.bootstrap, group)
    consumer = ConsumerProcess(stack.url, stack.bootstrap, group)
    poll = ServiceSettings().outbox_poll_interval_s
    figures: list[Figure] = []
    await consumer.start()
    try:
        for wake, mode in (
            (False, f"polling only, every {poll:g} s (a writer in another process)"),
            (True, "service default: commit wakes the relay (Runtime.unit_of_work)"),
        ):
            progress(f"B: {EVENTS} events at {RATE:g}/s, {mode}")
            figures.append(_figure(*await _run(stack, consumer, wake=wake), mode))
    finally:
        stats = await consumer.stop()
    if stats.get("dead_lettered"):
        raise BenchFailure(f"B: consumer outcomes {stats}")
    return figures
