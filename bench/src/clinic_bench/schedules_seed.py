"""The schedules HTTP bench's clinic, written straight into the service's database.

Replicas (location, practitioners, the appointment type, booked intervals, busy times) are what
booking's and calendar-sync's events would have left; rules are what the rules API stores. Per
practitioner at 1x: a weekly template of two intervals a weekday, recurring and one-off
exceptions, a week of approved leave, 60 appointments and 40 external busy intervals over the
next 31 days. At N x, N times the rules, appointments and busy intervals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import psycopg
from psycopg.types.json import Jsonb

PRACTITIONERS = 50
ZONE = "Europe/Berlin"
HORIZON_DAYS = 31
DURATION, BUFFER = 30, 5  # minutes; the type's buffers before and after


@dataclass
class Seeded:
    """What the bench queries: one tenant, one location and type, its practitioners and dates."""

    tenant_id: UUID
    scale: int
    location_id: UUID = field(default_factory=uuid4)
    type_id: UUID = field(default_factory=uuid4)
    practitioners: list[UUID] = field(default_factory=list)
    week: list[date] = field(default_factory=list)  # the 7 local dates the bench asks about
    rows: dict[str, int] = field(default_factory=dict)


def _wall(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _intervals(rng: random.Random, scale: int) -> list[dict[str, Any]]:
    """Two intervals each weekday, plus (at larger scales) overlapping extra ones."""
    found = [
        {"weekday": d, "start": start, "end": end}
        for d in range(5)
        for start, end in (("09:00", "12:00"), ("13:00", "17:00"))
    ]
    for _ in range(10 * (scale - 1)):
        start = rng.randrange(7 * 60, 18 * 60, 15)
        end = start + rng.randrange(30, 121, 15)
        found.append({"weekday": rng.randrange(7), "start": _wall(start), "end": _wall(end)})
    return found


def _instant(rng: random.Random, today: date, minutes: int) -> tuple[datetime, datetime]:
    """A random interval starting on a working quarter-hour within the horizon, in UTC."""
    day = today + timedelta(days=1 + rng.randrange(HORIZON_DAYS))
    wall = time(rng.randrange(8, 18), rng.choice((0, 15, 30, 45)))
    start = datetime.combine(day, wall, ZoneInfo(ZONE)).astimezone(UTC)
    return start, start + timedelta(minutes=minutes)


def _rules(
    s: Seeded, rng: random.Random, who: UUID, today: date
) -> dict[str, list[tuple[Any, ...]]]:
    """One practitioner's rules at the seed's scale, as rows per table."""
    t, n = s.tenant_id, s.scale
    exceptions: list[tuple[Any, ...]] = []
    for k in range(n):
        wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7 * (k % 4))
        exceptions += [
            (
                t,
                uuid4(),
                who,
                "blocked",
                None,
                "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                wednesday,
                time(15),
                time(17),
            ),
            (
                t,
                uuid4(),
                who,
                "available",
                None,
                "FREQ=MONTHLY;BYDAY=1SA",
                today,
                time(9),
                time(12),
            ),
            (
                t,
                uuid4(),
                who,
                "blocked",
                today + timedelta(days=1 + rng.randrange(HORIZON_DAYS)),
                None,
                None,
                time(10),
                time(11),
            ),
        ]
    week = today + timedelta(days=1 + rng.randrange(HORIZON_DAYS - 7))
    start = datetime.combine(week, time(0), ZoneInfo(ZONE)).astimezone(UTC)
    leaves = [(t, uuid4(), who, start, start + timedelta(days=7))]
    leaves += [(t, uuid4(), who, *_instant(rng, today, 60)) for _ in range(n - 1)]
    booked = []
    for _ in range(60 * n):
        begin, end = _instant(rng, today, DURATION)
        pad = timedelta(minutes=BUFFER)
        booked.append(
            (t, uuid4(), [who], s.location_id, s.type_id, begin, end, begin - pad, end + pad)
        )
    busy = []
    for _ in range(n):  # n calendars of 40 spans each; one calendar reports a span once
        connection, spans = uuid4(), set[tuple[datetime, datetime]]()
        while len(spans) < 40:
            spans.add(_instant(rng, today, rng.choice((30, 60, 90))))
        busy += [(t, connection, who, start, end) for start, end in sorted(spans)]
    template = (
        t,
        uuid4(),
        who,
        s.location_id,
        today - timedelta(days=90),
        Jsonb(_intervals(rng, n)),
    )
    return {
        "weekly_templates": [template],
        "exceptions": exceptions,
        "leaves": leaves,
        "booked_intervals": booked,
        "busy_intervals": busy,
    }


INSERTS = {
    "weekly_templates": "INSERT INTO weekly_templates (tenant_id, id, practitioner_id, location_id,"
    " effective_from, intervals) VALUES (%s, %s, %s, %s, %s, %s)",
    "exceptions": "INSERT INTO exceptions (tenant_id, id, practitioner_id, kind, on_date, rrule,"
    " dtstart, start_time, end_time) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
    "leaves": "INSERT INTO leaves (tenant_id, id, practitioner_id, start_at, end_at, status)"
    " VALUES (%s, %s, %s, %s, %s, 'approved')",
}
COPIES = {
    "booked_intervals": "COPY booked_intervals (tenant_id, appointment_id, practitioner_ids,"
    " location_id, appointment_type_id, start_at, end_at, blocked_from, blocked_until, kind,"
    " status, buffer_before_minutes, buffer_after_minutes, event_time) FROM STDIN",
    "busy_intervals": "COPY busy_intervals (tenant_id, connection_id, practitioner_id, start_at,"
    " end_at) FROM STDIN",
}


def _catalog(conn: psycopg.Connection[Any], s: Seeded, today: date) -> None:
    now, t = datetime.now(UTC), s.tenant_id
    conn.execute(
        "INSERT INTO locations (tenant_id, id, name, timezone, active, event_time)"
        " VALUES (%s, %s, 'Mitte', %s, true, %s)",
        (t, s.location_id, ZONE, now),
    )
    conn.execute(
        "INSERT INTO appointment_types (tenant_id, id, duration_minutes, buffer_before_minutes,"
        " buffer_after_minutes, min_notice_minutes, max_future_days, active, event_time)"
        " VALUES (%s, %s, %s, %s, %s, 60, 60, true, %s)",
        (t, s.type_id, DURATION, BUFFER, BUFFER, now),
    )
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO practitioners (tenant_id, id, display_name, status, location_ids,"
            " event_time) VALUES (%s, %s, %s, 'active', %s, %s)",
            [(t, p, f"Dr. {n}", [s.location_id], now) for n, p in enumerate(s.practitioners)],
        )
    hours = [{"weekday": d, "start": "08:00", "end": "19:00"} for d in range(6)]
    conn.execute(
        "INSERT INTO clinic_hours (tenant_id, location_id, weekly, date_overrides, closed_dates)"
        " VALUES (%s, %s, %s, '[]', %s)",
        (t, s.location_id, Jsonb(hours), [today + timedelta(days=20)]),
    )
    conn.execute(
        "INSERT INTO holidays (tenant_id, location_id, on_date, name) VALUES (%s, %s, %s, 'Fest')",
        (t, s.location_id, today + timedelta(days=12)),
    )


def seed(admin_dsn: str, scale: int, today: date) -> Seeded:
    """Write the clinic at `scale` (as the superuser: COPY and no RLS in the way), then ANALYZE."""
    s = Seeded(uuid4(), scale, practitioners=[uuid4() for _ in range(PRACTITIONERS)])
    monday = today + timedelta(days=7 - today.weekday())
    s.week = [monday + timedelta(days=n) for n in range(7)]
    rng = random.Random(7 * scale)
    tables: dict[str, list[tuple[Any, ...]]] = {name: [] for name in (*INSERTS, *COPIES)}
    for who in s.practitioners:
        for name, rows in _rules(s, rng, who, today).items():
            tables[name] += rows
    now = datetime.now(UTC)
    with psycopg.connect(admin_dsn) as conn:
        _catalog(conn, s, today)
        with conn.cursor() as cur:
            for name, statement in INSERTS.items():
                cur.executemany(statement, tables[name])
            for name, statement in COPIES.items():
                extra = ("appointment", "confirmed", BUFFER, BUFFER, now)
                with cur.copy(statement) as copy:
                    for row in tables[name]:
                        copy.write_row((*row, *extra) if name == "booked_intervals" else row)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute("ANALYZE")
    s.rows = {name: len(rows) for name, rows in tables.items()}
    return s
