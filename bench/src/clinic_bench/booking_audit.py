"""After the load: does the database hold any double booking? Counted by SQL as superuser."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from clinic_bench.booking_seed import SLOTS
from clinic_bench.report import Figure

AUDIT = "D. SQL audit"

# Pairs of active occupations of one resource seat whose periods overlap: what the
# exclusion constraint forbids, checked from the outside.
OCCUPATION_OVERLAPS = """
SELECT count(*) FROM occupations a JOIN occupations b
  ON a.id < b.id AND a.tenant_id = b.tenant_id AND a.resource_id = b.resource_id
 AND a.seat = b.seat AND a.period && b.period
WHERE a.active AND b.active
"""

# The same question asked of the appointments alone (no occupations table): two live
# appointments sharing a practitioner whose intervals, widened by their buffers, overlap.
APPOINTMENT_OVERLAPS = """
SELECT count(*) FROM appointments a JOIN appointments b
  ON a.id < b.id AND a.tenant_id = b.tenant_id AND a.practitioner_ids && b.practitioner_ids
 AND tstzrange(a.start_at - make_interval(mins => a.buffer_before_minutes),
               a.end_at + make_interval(mins => a.buffer_after_minutes))
  && tstzrange(b.start_at - make_interval(mins => b.buffer_before_minutes),
               b.end_at + make_interval(mins => b.buffer_after_minutes))
WHERE a.status NOT IN ('cancelled', 'declined') AND b.status NOT IN ('cancelled', 'declined')
"""

# Most bookings of one practitioner on one local day (adjacent half-hour slots conflict).
BUSIEST_DAY = """
SELECT coalesce(max(n), 0) FROM (
  SELECT count(*) AS n FROM appointments
  WHERE status NOT IN ('cancelled', 'declined')
  GROUP BY practitioner_ids[1], (start_at AT TIME ZONE %(zone)s)::date) per_day
"""


@dataclass(frozen=True)
class Audit:
    """What the database holds after the load."""

    occupation_overlaps: int
    appointment_overlaps: int
    appointments: int
    active_occupations: int
    busiest_day: int
    outbox_events: int
    outbox_unpublished: int
    statuses: dict[str, int]


async def audit(admin_dsn: str, zone: str) -> Audit:
    """Count overlaps and rows, as the superuser (row-level security does not hide anything)."""
    async with await psycopg.AsyncConnection.connect(admin_dsn) as db:

        async def scalar(query: str, params: dict[str, str] | None = None) -> int:
            row = await (await db.execute(query, params)).fetchone()
            return int(row[0]) if row else -1

        statuses = await (
            await db.execute("SELECT status, count(*) FROM appointments GROUP BY status")
        ).fetchall()
        return Audit(
            occupation_overlaps=await scalar(OCCUPATION_OVERLAPS),
            appointment_overlaps=await scalar(APPOINTMENT_OVERLAPS),
            appointments=await scalar("SELECT count(*) FROM appointments"),
            active_occupations=await scalar("SELECT count(*) FROM occupations WHERE active"),
            busiest_day=await scalar(BUSIEST_DAY, {"zone": zone}),
            outbox_events=await scalar("SELECT count(*) FROM clinic_outbox"),
            outbox_unpublished=await scalar(
                "SELECT count(*) FROM clinic_outbox WHERE published_at IS NULL"
            ),
            statuses={str(s): int(n) for s, n in statuses},
        )


def figures(a: Audit, booked: int) -> list[Figure]:
    """The audit's figures; `booked`: how many requests were answered 201."""
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
            f"warm-up and single-client bookings included; statuses: {statuses}; "
            f"active occupations {a.active_occupations:,}; busiest practitioner-day "
            f"{a.busiest_day} bookings (at most {SLOTS // 2} fit)",
        ),
        Figure(
            AUDIT,
            "outbox after the load",
            f"{a.outbox_events:,} events, {a.outbox_unpublished:,} unpublished",
            "catalog, patient and appointment events written by the service",
        ),
    ]
