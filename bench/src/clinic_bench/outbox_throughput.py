"""Benchmark A: outbox relay throughput, from committed outbox rows to records on the topic."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID

from clinic_bench.deadline import CpuMeter, limit, progress, until
from clinic_bench.report import Figure
from clinic_bench.stack import Stack
from clinic_bench.topic_check import verify_on_topic
from clinic_bench.workload import Clinics
from clinic_contracts import AppointmentBooked
from clinic_platform.outbox import OutboxRelay, OutboxWriter
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.topic_reader import TopicReader

BACKLOG, TX_SIZE = 20_000, 100
SUSTAINED, WRITERS = 10_000, 4
TOPIC = AppointmentBooked.topic
NAME = "A. outbox relay"


def _relay(stack: Stack, name: str) -> OutboxRelay:
    # The relay exactly as a service builds it (runtime.build_runtime): default batch and poll.
    poll = ServiceSettings().outbox_poll_interval_s
    return OutboxRelay(stack.sessions, [stack.bootstrap], client_id=name, poll_interval_s=poll)


async def backlog_drain(stack: Stack) -> list[Figure]:
    """Commit BACKLOG events in transactions of TX_SIZE, then time one relay draining them."""
    clinics, writer = Clinics.create(), OutboxWriter("booking")
    reader = await TopicReader(stack.bootstrap, TOPIC).mark()
    progress(f"A1: committing {BACKLOG} events in transactions of {TX_SIZE}")
    began = time.monotonic()
    async with limit(180, "A1 backlog fill"):
        for n in range(BACKLOG // TX_SIZE):
            tenant = clinics.tenants[n % len(clinics.tenants)]
            async with tenant_transaction(stack.sessions, tenant) as session:
                for _ in range(TX_SIZE):
                    await writer.publish(session, clinics.booked(tenant), tenant_id=tenant)
    filled = time.monotonic() - began
    progress("A1: relay draining the backlog")
    relay = _relay(stack, "bench-backlog")
    started, cpu = time.monotonic(), CpuMeter()
    relay.start()
    try:
        done = await until(
            lambda: relay.stats.published >= BACKLOG, timeout_s=120, what="A1 backlog drain"
        )
    finally:
        await relay.stop()
    drain_cpu = cpu.share()
    await verify_on_topic(reader, clinics.tenant_ids(), BACKLOG)
    drain = done - started
    return [
        Figure(
            NAME,
            "backlog fill (not the relay)",
            f"{BACKLOG / filled:,.0f} events/s",
            f"{BACKLOG:,} events, {TX_SIZE} per transaction, 1 writer",
        ),
        Figure(
            NAME,
            "backlog drain time",
            f"{drain:.2f} s",
            f"{BACKLOG:,} committed events, relay started cold (producer connect included)",
        ),
        Figure(
            NAME,
            "backlog drain throughput",
            f"**{BACKLOG / drain:,.0f} events/s**",
            f"acked (acks=all), marked sent; relay process CPU {drain_cpu} of a core",
        ),
    ]


async def sustained(stack: Stack) -> list[Figure]:
    """WRITERS concurrent writers commit one event per transaction while a relay runs."""
    clinics, writer = Clinics.create(), OutboxWriter("booking")
    per_writer = SUSTAINED // WRITERS
    work = [
        [
            (t, clinics.booked(t))
            for t in (clinics.tenants[(w + n) % len(clinics.tenants)] for n in range(per_writer))
        ]
        for w in range(WRITERS)
    ]  # payloads built up front: the figure is commits, not pydantic
    reader = await TopicReader(stack.bootstrap, TOPIC).mark()
    committed, backlog_peak = 0, 0
    relay = _relay(stack, "bench-sustained")

    async def write(events: list[tuple[UUID, AppointmentBooked]]) -> float:
        nonlocal committed, backlog_peak
        for tenant, payload in events:
            async with tenant_transaction(stack.sessions, tenant) as session:
                await writer.publish(session, payload, tenant_id=tenant)
            committed += 1
            backlog_peak = max(backlog_peak, committed - relay.stats.published)
        return time.monotonic()

    progress(f"A2: {WRITERS} writers committing {SUSTAINED} events, one per transaction")
    relay.start()
    try:
        began, cpu = time.monotonic(), CpuMeter()
        async with limit(180, "A2 sustained writers"):
            last_commit = max(await asyncio.gather(*(write(w) for w in work)))
        writing_cpu = cpu.share()
        done = await until(
            lambda: relay.stats.published >= SUSTAINED, timeout_s=60, what="A2 relay catch-up"
        )
    finally:
        await relay.stop()
    await verify_on_topic(reader, clinics.tenant_ids(), SUSTAINED)
    writing = last_commit - began
    return [
        Figure(
            NAME,
            "sustained commit rate",
            f"**{SUSTAINED / writing:,.0f} commits/s**",
            f"{WRITERS} concurrent writers, 1 event per transaction, relay alongside; "
            f"process CPU {writing_cpu} of a core",
        ),
        Figure(
            NAME,
            "sustained: first commit → last event on topic",
            f"{done - began:.2f} s",
            f"{SUSTAINED:,} events; relay {SUSTAINED / (done - began):,.0f} events/s overall",
        ),
        Figure(
            NAME,
            "sustained: last commit → last event on topic",
            f"{(done - last_commit) * 1000:,.0f} ms",
            f"peak pending (committed, not yet acked) {backlog_peak:,} events",
        ),
    ]
