"""Benchmark G: the pure availability engine, one practitioner over 31 days, at 1x, 10x, 100x.

No servers: it calls `schedules.domain.available_slots` in this process on rules built as the
replicas would hold them (America/New_York, March 2026, the spring DST change included).
"""

from __future__ import annotations

import random
import statistics
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic_bench.report import Figure, section
from clinic_bench.stack import Servers
from schedules.domain import (
    AvailabilityException,
    BookedInterval,
    BusyInterval,
    ClinicHours,
    ClinicInterval,
    DateRange,
    Holiday,
    Leave,
    ScheduleRules,
    SlotQuery,
    WeeklyInterval,
    available_slots,
)
from schedules.domain.local_time import day_segments, day_start, local_span
from schedules.domain.recurrence import date_rule, recurrence_dates

NAME = "G. schedules engine"
TITLE = "Schedules: the pure availability engine"
COMMAND = "uv run python -m clinic_bench schedules-engine  (make bench runs every benchmark)"

ZONE = ZoneInfo("America/New_York")
FIRST, LAST = date(2026, 3, 1), date(2026, 3, 31)  # holds the spring DST change
MIN = timedelta(minutes=1)


def instant(rng: random.Random, length: int) -> tuple[datetime, datetime]:
    """A random interval of `length` minutes on a working hour, in UTC as the replicas hold it."""
    day = FIRST + timedelta(days=rng.randrange(31))
    local = datetime.combine(day, time(rng.randrange(8, 18), rng.choice((0, 15, 30, 45))), ZONE)
    start = local.astimezone(UTC)
    return start, start + length * MIN


def rules(scale: int, seed: int = 7) -> ScheduleRules:
    """Two intervals a weekday, recurring exceptions, a week of leave, 60 bookings, 40 busy."""
    rng = random.Random(seed)
    weekly = [WeeklyInterval(d, time(9), time(12)) for d in range(5)]
    weekly += [WeeklyInterval(d, time(13), time(17)) for d in range(5)]
    # Extra rules at larger scales: more (overlapping) intervals a day, as the union is the cost.
    for _ in range(10 * (scale - 1)):
        start = rng.randrange(7 * 60, 18 * 60, 15)
        end = start + rng.randrange(30, 121, 15)
        weekly.append(
            WeeklyInterval(
                rng.randrange(7), time(start // 60, start % 60), time(end // 60, end % 60)
            )
        )
    exceptions = []
    for n in range(scale):
        wednesday = date(2026, 3, 4) + timedelta(days=7 * (n % 4))
        exceptions += [
            AvailabilityException(
                "blocked",
                rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                dtstart=wednesday,
                start=time(15),
                end=time(17),
            ),
            AvailabilityException(
                "available",
                rrule="FREQ=MONTHLY;BYDAY=1SA",
                dtstart=date(2026, 1, 3),
                start=time(9),
                end=time(12),
            ),
            AvailabilityException(
                "blocked",
                on=FIRST + timedelta(days=rng.randrange(31)),
                start=time(10),
                end=time(11),
            ),
        ]
    leaves = [Leave(datetime(2026, 3, 16, 4, tzinfo=UTC), datetime(2026, 3, 21, 4, tzinfo=UTC))]
    leaves += [Leave(*instant(rng, 60)) for _ in range(scale - 1)]
    booked = [BookedInterval(*instant(rng, 30), 5 * MIN, 5 * MIN) for _ in range(60 * scale)]
    busy = [BusyInterval(*instant(rng, rng.choice((30, 60, 90)))) for _ in range(40 * scale)]
    weekdays = tuple(ClinicInterval(d, time(8), time(19)) for d in range(6))
    return ScheduleRules(
        zone=ZONE,
        weekly=tuple(weekly),
        clinic_hours=ClinicHours(weekly=weekdays, closed=frozenset({date(2026, 3, 27)})),
        exceptions=tuple(exceptions),
        leaves=tuple(leaves),
        holidays=(Holiday(date(2026, 3, 17)),),
        booked=tuple(booked),
        busy=tuple(busy),
    )


QUERY = SlotQuery(
    duration=30 * MIN,
    window=DateRange(FIRST, LAST),
    now=datetime(2026, 2, 28, 12, tzinfo=UTC),
    step=15 * MIN,
    buffer_before=5 * MIN,
    buffer_after=5 * MIN,
    min_notice=timedelta(hours=2),
    max_future_days=60,
)


def timings(scale: int, runs: int) -> tuple[float, float, int]:
    """Median and p95 in milliseconds over `runs` calls, and the slot count."""
    schedule = rules(scale)
    found = available_slots(schedule, QUERY)  # warm the per-day zone cache, as a live service is
    samples = []
    for _ in range(runs):
        began = clock.perf_counter_ns()
        available_slots(schedule, QUERY)
        samples.append((clock.perf_counter_ns() - began) / 1e6)
    return statistics.median(samples), statistics.quantiles(samples, n=20)[-1], len(found)


def cold_ms(runs: int = 50) -> float:
    """Median at 1x with the zone and recurrence memos emptied before every call."""
    schedule, samples = rules(1), []
    for _ in range(runs):
        for memo in (day_segments, day_start, local_span, recurrence_dates, date_rule):
            memo.cache_clear()
        began = clock.perf_counter_ns()
        available_slots(schedule, QUERY)
        samples.append((clock.perf_counter_ns() - began) / 1e6)
    return statistics.median(samples)


async def run_schedules_engine(servers: Servers) -> tuple[str, list[Figure]]:
    """Every scale timed in this process; the finished docs section (servers are not used)."""
    figures: list[Figure] = []
    for scale, runs in ((1, 500), (10, 200), (100, 30)):
        median, p95, count = timings(scale, runs)
        r = rules(scale)
        sizes = (
            f"{len(r.weekly):,} weekly intervals, {len(r.exceptions):,} exceptions, "
            f"{len(r.booked):,} bookings, {len(r.busy):,} busy; {count} slots; {runs} runs"
        )
        value = f"**median {median:.2f} · p95 {p95:.2f} ms**"
        note = f"{sizes}; target median ≤ 2 ms: {'met' if median <= 2 else 'MISSED'}"
        figures.append(
            Figure(
                NAME, f"{scale}x: one practitioner, 31 days", value, note if scale == 1 else sizes
            )
        )
    figures.append(
        Figure(
            NAME,
            "1x with cold memos",
            f"median {cold_ms():.2f} ms",
            "zone days, local spans and RRULEs recomputed every call",
        )
    )
    notes = [
        "workload at 1x: two intervals a weekday (10 weekly intervals), clinic hours Mon-Sat "
        "08-19 with a closed day, a holiday, 3 exceptions (every other Wednesday blocked 15-17, "
        "first Saturday of the month available 9-12, one one-off block), a week of leave, 60 "
        "appointments with 5/5-minute buffers and 40 external busy intervals; 30-minute slots "
        "on a 15-minute step, 2-hour notice; 10x and 100x multiply each.",
        "Warm per-date and RRULE memos, as in a running service. At 10x and 100x the bookings "
        "fill the month, so few or no slots remain: those rows measure rule and booking "
        "processing (sorting and subtracting intervals), not slot generation.",
    ]
    text = section(
        figures,
        postgres="not used (pure function)",
        kafka="not used (pure function)",
        notes=notes,
        name="schedules-engine",
        title=TITLE,
        command=COMMAND,
    )
    return text, figures
