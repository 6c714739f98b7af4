"""Loading the engine's input: every rule, occupation and busy time of practitioners, batched.

One call answers for many practitioners at once (the range search asks about fifty), with a fixed
number of queries whatever their count. A practitioner's placements are the locations the catalog
assigns them plus those where they have a weekly template; retired or zone-less locations and
retired or inactive practitioners have no availability.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.domain import (
    AvailabilityException,
    BookedInterval,
    BusyInterval,
    ClinicHours,
    ClinicInterval,
    ClinicOverride,
    ForcedBlock,
    Holiday,
    Leave,
    ScheduleRules,
    WeeklyInterval,
)
from schedules.store.tables import (
    booked_intervals,
    busy_intervals,
    clinic_hours,
    exceptions,
    forced_blocks,
    holidays,
    leaves,
    locations,
    practitioners,
    weekly_templates,
)

# Statuses in which a row of `booked_intervals` takes time (holds also until they expire).
OCCUPYING = or_(
    and_(
        booked_intervals.c.kind == "appointment",
        booked_intervals.c.status.in_(("pending", "confirmed")),
    ),
    and_(booked_intervals.c.kind == "hold", booked_intervals.c.status == "held"),
)
UNAVAILABLE_STATUSES = ("inactive",)


@dataclass(frozen=True, slots=True)
class Placement:
    """A practitioner working at a location, with the location's zone."""

    practitioner_id: UUID
    location_id: UUID
    zone: ZoneInfo


@dataclass(slots=True)
class _PerPractitioner:
    weekly: list[WeeklyInterval] = field(default_factory=list)
    exceptions: list[AvailabilityException] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    blocks: list[ForcedBlock] = field(default_factory=list)
    booked: list[BookedInterval] = field(default_factory=list)
    busy: list[BusyInterval] = field(default_factory=list)


def utc_reach(first: date, last: date) -> tuple[datetime, datetime]:
    """A UTC range holding every instant of local dates `first`..`last` in any zone."""
    low = datetime.combine(first - timedelta(days=1), time(0), UTC)
    return low, datetime.combine(last + timedelta(days=2), time(0), UTC)


def zone_of(name: str | None) -> ZoneInfo | None:
    """The zone a replica names, or None when it names none or one this host does not know."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return None


async def placements(
    session: AsyncSession,
    practitioner_ids: Collection[UUID],
    *,
    location_id: UUID | None = None,
    templates: Iterable[tuple[UUID, UUID]] = (),
) -> list[Placement]:
    """Where each practitioner works: catalog assignments plus template locations, filtered."""
    ids = list(practitioner_ids)
    rows = await session.execute(
        select(practitioners.c.id, practitioners.c.location_ids).where(
            practitioners.c.id.in_(ids),
            practitioners.c.retired.is_(False),
            practitioners.c.display_name.is_not(None),
            or_(
                practitioners.c.status.is_(None),
                practitioners.c.status.not_in(UNAVAILABLE_STATUSES),
            ),
        )
    )
    wanted: dict[UUID, set[UUID]] = {row.id: set(row.location_ids) for row in rows}
    for practitioner_id, at in templates:
        if practitioner_id in wanted:
            wanted[practitioner_id].add(at)
    if location_id is not None:
        wanted = {p: at & {location_id} for p, at in wanted.items()}
    zones = await location_zones(session, {at for places in wanted.values() for at in places})
    return [
        Placement(practitioner_id, at, zones[at])
        for practitioner_id in ids
        for at in sorted(wanted.get(practitioner_id, ()), key=str)
        if at in zones
    ]


async def location_zones(
    session: AsyncSession, location_ids: Collection[UUID]
) -> dict[UUID, ZoneInfo]:
    """Zones of the locations that exist, are not retired and name a known zone."""
    if not location_ids:
        return {}
    rows = await session.execute(
        select(locations.c.id, locations.c.timezone).where(
            locations.c.id.in_(list(location_ids)), locations.c.retired.is_(False)
        )
    )
    return {row.id: zone for row in rows if (zone := zone_of(row.timezone)) is not None}


async def load_rules(
    session: AsyncSession,
    practitioner_ids: Collection[UUID],
    first: date,
    last: date,
    *,
    location_id: UUID | None = None,
) -> dict[tuple[UUID, UUID], ScheduleRules]:
    """The engine's rules per (practitioner, location) placement over local dates first..last."""
    ids = list(dict.fromkeys(practitioner_ids))
    if not ids:
        return {}
    low, high = utc_reach(first, last)
    per: dict[UUID, _PerPractitioner] = defaultdict(_PerPractitioner)
    template_places: set[tuple[UUID, UUID]] = set()
    for row in await _templates(session, ids, first, last):
        template_places.add((row.practitioner_id, row.location_id))
        per[row.practitioner_id].weekly.extend(weekly_intervals(row))
    for row in await _exceptions(session, ids, first, last):
        per[row.practitioner_id].exceptions.append(exception_rule(row))
    for row in await _leaves(session, ids, low, high):
        per[row.practitioner_id].leaves.append(Leave(row.start_at, row.end_at, approved=True))
    for row in await _blocks(session, ids, low, high):
        kind = cast(Literal["forced", "emergency"], row.kind)
        per[row.practitioner_id].blocks.append(ForcedBlock(row.start_at, row.end_at, kind))
    for row in await _booked(session, ids, low, high):
        interval = BookedInterval(
            row.start_at,
            row.end_at,
            timedelta(minutes=row.buffer_before_minutes),
            timedelta(minutes=row.buffer_after_minutes),
            row.expires_at,
        )
        for practitioner_id in set(row.practitioner_ids) & set(ids):
            per[practitioner_id].booked.append(interval)
    for row in await _busy(session, ids, low, high):
        per[row.practitioner_id].busy.append(BusyInterval(row.start_at, row.end_at))
    places = await placements(session, ids, location_id=location_id, templates=template_places)
    at = {place.location_id for place in places}
    hours = await load_clinic_hours(session, at)
    days_off = await _holidays(session, at, first, last)
    result: dict[tuple[UUID, UUID], ScheduleRules] = {}
    for place in places:
        mine = per[place.practitioner_id]
        result[(place.practitioner_id, place.location_id)] = ScheduleRules(
            zone=place.zone,
            weekly=tuple(mine.weekly),
            clinic_hours=hours.get(place.location_id),
            exceptions=tuple(mine.exceptions),
            leaves=tuple(mine.leaves),
            holidays=tuple(days_off.get(place.location_id, ())),
            blocks=tuple(mine.blocks),
            booked=tuple(mine.booked),
            busy=tuple(mine.busy),
            location_id=place.location_id,
        )
    return result


def weekly_intervals(row: Row[Any]) -> list[WeeklyInterval]:
    """The intervals of one stored weekly template."""
    return [
        WeeklyInterval(
            weekday=item["weekday"],
            start=time.fromisoformat(item["start"]),
            end=time.fromisoformat(item["end"]),
            max_parallel_sessions=item.get("max_parallel_sessions", 1),
            location_id=row.location_id,
            effective_from=row.effective_from,
            effective_to=row.effective_to,
        )
        for item in row.intervals
    ]


def exception_rule(row: Row[Any]) -> AvailabilityException:
    """The engine's view of one stored exception."""
    return AvailabilityException(
        kind=cast(Literal["blocked", "available"], row.kind),
        on=row.on_date,
        rrule=row.rrule,
        dtstart=row.dtstart,
        start=row.start_time,
        end=row.end_time,
        appointment_type_id=row.appointment_type_id,
        location_id=row.location_id,
        max_parallel_sessions=row.max_parallel_sessions,
    )


def clinic_hours_rule(
    weekly: list[Mapping[str, Any]], overrides: list[Mapping[str, Any]], closed: Iterable[date]
) -> ClinicHours:
    """The engine's view of a location's stored clinic-hours document."""
    return ClinicHours(
        weekly=tuple(
            ClinicInterval(
                item["weekday"], time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
            )
            for item in weekly
        ),
        overrides=tuple(
            ClinicOverride(
                date.fromisoformat(item["date"]),
                time.fromisoformat(span["start"]),
                time.fromisoformat(span["end"]),
            )
            for item in overrides
            for span in item["intervals"]
        ),
        closed=frozenset(closed),
    )


async def load_clinic_hours(
    session: AsyncSession, location_ids: Collection[UUID]
) -> dict[UUID, ClinicHours]:
    """Clinic hours of the locations that have them (a location without any is not limited)."""
    if not location_ids:
        return {}
    rows = await session.execute(
        select(clinic_hours).where(clinic_hours.c.location_id.in_(list(location_ids)))
    )
    return {
        row.location_id: clinic_hours_rule(row.weekly, row.date_overrides, row.closed_dates)
        for row in rows
    }


async def _holidays(
    session: AsyncSession, location_ids: Collection[UUID], first: date, last: date
) -> dict[UUID, list[Holiday]]:
    found: dict[UUID, list[Holiday]] = defaultdict(list)
    if not location_ids:
        return found
    rows = await session.execute(
        select(holidays.c.location_id, holidays.c.on_date).where(
            holidays.c.location_id.in_(list(location_ids)),
            holidays.c.on_date.between(first, last),
        )
    )
    for row in rows:
        found[row.location_id].append(Holiday(row.on_date))
    return found


async def _templates(
    session: AsyncSession, ids: list[UUID], first: date, last: date
) -> list[Row[Any]]:
    table = weekly_templates
    query = select(table).where(
        table.c.practitioner_id.in_(ids),
        table.c.effective_from <= last,
        or_(table.c.effective_to.is_(None), table.c.effective_to >= first),
    )
    return list(await session.execute(query))


async def _exceptions(
    session: AsyncSession, ids: list[UUID], first: date, last: date
) -> list[Row[Any]]:
    table = exceptions
    query = select(table).where(
        table.c.practitioner_id.in_(ids),
        or_(
            table.c.on_date.between(first, last),
            and_(table.c.rrule.is_not(None), table.c.dtstart <= last),
        ),
    )
    return list(await session.execute(query))


async def _leaves(
    session: AsyncSession, ids: list[UUID], low: datetime, high: datetime
) -> list[Row[Any]]:
    table = leaves
    query = select(table.c.practitioner_id, table.c.start_at, table.c.end_at).where(
        table.c.practitioner_id.in_(ids),
        table.c.status == "approved",
        table.c.start_at < high,
        table.c.end_at > low,
    )
    return list(await session.execute(query))


async def _blocks(
    session: AsyncSession, ids: list[UUID], low: datetime, high: datetime
) -> list[Row[Any]]:
    table = forced_blocks
    query = select(table.c.practitioner_id, table.c.kind, table.c.start_at, table.c.end_at).where(
        table.c.practitioner_id.in_(ids),
        table.c.lifted_at.is_(None),
        table.c.start_at < high,
        table.c.end_at > low,
    )
    return list(await session.execute(query))


async def _booked(
    session: AsyncSession, ids: list[UUID], low: datetime, high: datetime
) -> list[Row[Any]]:
    table = booked_intervals
    query = select(
        table.c.practitioner_ids,
        table.c.start_at,
        table.c.end_at,
        table.c.buffer_before_minutes,
        table.c.buffer_after_minutes,
        table.c.expires_at,
    ).where(
        table.c.practitioner_ids.overlap(ids),
        OCCUPYING,
        func.tstzrange(table.c.blocked_from, table.c.blocked_until).op("&&")(
            func.tstzrange(low, high)
        ),
    )
    return list(await session.execute(query))


async def _busy(
    session: AsyncSession, ids: list[UUID], low: datetime, high: datetime
) -> list[Row[Any]]:
    table = busy_intervals
    query = select(table.c.practitioner_id, table.c.start_at, table.c.end_at).where(
        table.c.practitioner_id.in_(ids), table.c.start_at < high, table.c.end_at > low
    )
    return list(await session.execute(query))
