"""`python -m clinic_bench [platform] [booking]`: run the benchmarks (all by default) and record
each in its section of docs/benchmarks.md."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from types import FrameType

from clinic_bench.booking_load import run_booking
from clinic_bench.deadline import BenchFailure, progress
from clinic_bench.latency import latency
from clinic_bench.notifications import run_notifications
from clinic_bench.outbox_throughput import backlog_drain, sustained
from clinic_bench.report import Figure, section, table, write_section
from clinic_bench.schedules_engine import run_schedules_engine
from clinic_bench.schedules_http import run_schedules_http
from clinic_bench.stack import Servers, open_servers, open_stack
from clinic_platform.settings import ServiceSettings
from clinic_testkit import InfrastructureError

DOCS = Path(__file__).resolve().parents[3] / "docs" / "benchmarks.md"


async def run_platform(servers: Servers) -> tuple[str, list[Figure]]:
    """The platform benchmarks on one database; the finished docs section."""
    began, load = time.monotonic(), os.getloadavg()
    async with open_stack(servers) as stack:
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
        f"Whole run: {time.monotonic() - began:.0f} s, plus {servers.started_in_s:.0f} s to "
        "start the servers and provision the topics.",
    ]
    return section(figures, postgres=stack.postgres, kafka=stack.kafka, notes=notes), figures


BENCHES: dict[str, Callable[[Servers], Awaitable[tuple[str, list[Figure]]]]] = {
    "platform": run_platform,
    "booking": run_booking,
    "notifications": run_notifications,
    "schedules-engine": run_schedules_engine,
    "schedules-http": run_schedules_http,
}


async def run(names: Sequence[str]) -> list[str]:
    """The chosen benchmarks on one pair of servers; each section is written once it passed."""
    progress("providing PostgreSQL and Kafka, provisioning topics")
    written: list[str] = []
    async with open_servers() as servers:
        for name in names:
            try:
                text, figures = await BENCHES[name](servers)
            except BenchFailure as exc:
                raise BenchFailure(
                    f"{name}: {exc} (sections written: {written or 'none'})"
                ) from exc
            print(table(figures))
            write_section(DOCS, text, name)
            written.append(name)
            progress(f"{name}: figures written to {DOCS}")
    return written


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(143)  # unwinds through open_stack, which stops the servers


def main(argv: Sequence[str] | None = None) -> int:
    """Run, print each table, write each section; exit 1 on any failure (a failed benchmark's
    section is left unchanged)."""
    parser = argparse.ArgumentParser(prog="python -m clinic_bench")
    parser.add_argument(
        "benchmarks",
        nargs="*",
        choices=[[], *BENCHES],
        metavar="BENCHMARK",
        help=f"any of {', '.join(BENCHES)}; all when none is named",
    )
    names = list(dict.fromkeys(parser.parse_args(argv).benchmarks)) or list(BENCHES)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        asyncio.run(run(names))
    except (BenchFailure, InfrastructureError) as exc:
        print(f"bench FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
