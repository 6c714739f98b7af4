"""`python -m clinic_bench`: run the platform benchmarks and record them in docs/benchmarks.md."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from clinic_bench.deadline import BenchFailure, progress
from clinic_bench.latency import latency
from clinic_bench.outbox_throughput import backlog_drain, sustained
from clinic_bench.report import Figure, section, table, write_section
from clinic_bench.stack import open_stack
from clinic_platform.settings import ServiceSettings
from clinic_testkit import InfrastructureError

DOCS = Path(__file__).resolve().parents[3] / "docs" / "benchmarks.md"


async def run() -> tuple[str, list[Figure]]:
    """Every benchmark on one stack; the finished docs section."""
    began, load = time.monotonic(), os.getloadavg()
    progress("providing PostgreSQL and Kafka, migrating, provisioning topics")
    async with open_stack() as stack:
        figures: list[Figure] = []
        figures += await backlog_drain(stack)
        figures += await sustained(stack)
        figures += await latency(stack)
    poll = ServiceSettings().outbox_poll_interval_s
    notes = [
        "Events are `AppointmentBooked` / `AppointmentConfirmed` on `booking.appointments.v1` "
        "(6 partitions), 40 tenants, 400 practitioners as keys, in a fresh database owned by a "
        "non-superuser role, so tenant RLS applies to every write and read.",
        "Relay as services build it: batch 500, idempotent producer (acks=all, linger 5 ms), "
        f"poll interval `ServiceSettings().outbox_poll_interval_s` = {poll:g} s. Every event "
        "of A is read back from the topic (distinct `ce_id`) before a figure counts.",
        "B: latency = the handler's apply time minus the bench's time right after `commit()` "
        "returned (wall clock). Writers and relay share the bench's asyncio loop, like one "
        "producing service; the consumer group (inbox, one transaction per event) runs in its "
        "own process, like the consuming service.",
        f"Load average (1 min) at start {load[0]:.1f}, at end {os.getloadavg()[0]:.1f}: other "
        "work on the machine competes for its cores.",
        f"Whole run, servers' start-up included: {time.monotonic() - began:.0f} s.",
    ]
    return section(figures, postgres=stack.postgres, kafka=stack.kafka, notes=notes), figures


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(143)  # unwinds through open_stack, which stops the servers


def main() -> int:
    """Run, print the table, write the docs section; exit 1 without writing on any failure."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        text, figures = asyncio.run(run())
    except (BenchFailure, InfrastructureError) as exc:
        print(f"bench FAILED, docs/benchmarks.md left unchanged: {exc}", file=sys.stderr)
        return 1
    print(table(figures))
    write_section(DOCS, text)
    progress(f"figures written to {DOCS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
