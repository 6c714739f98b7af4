"""Loading the engine's input: every rule, occupation and busy time of practitioners, batched.

One call answers for many practitioners at once (the range search asks about fifty), with a fixed
number of queries whatever their count.

Who can have slots where follows booking's catalog exactly, so that every slot offered can be
booked: a practitioner's placements are the locations the catalog links them to (a weekly template
elsewhere takes effect only once the link exists); retired, inactive or zone-less locations and
practitioners who are retired or not `active` (draft, inactive) have no availability.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal, cast
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Row, Select, Uuid, and_, any_, bindparam, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.domain import (
    AvailabilityException,
    ClinicHours,
    ClinicInterval,
    ClinicOverride,
    Holiday,
    ScheduleRules,
)
from schedules.domain.blocks import RecurringBlock
from schedules.domain.recurrence import Recurrence
from schedules.store.rules_bundle import build_bundle, current_tenant, dates, decode, json_rows
from schedules.store.tables import (
    booked_intervals,
    clinic_hours,
    holidays,
    locations,
    practitioners,
)

# Statuses in which a row of `booked_intervals` takes time (holds also until they expire).
OCCUPYING = or_(
    and_(
        booked_intervals.c.kind == "appointment",
        booked_intervals.c.status.in_(("pending", "confirmed")),
    ),
    and_(booked_intervals.c.kind == "hold", booked_intervals.c.status == "held"),
)
# Practitioners who can have availability at all: booking books only active ones.
ELIGIBLE = and_(
    practitioners.c.retired.is_(False),
    practitioners.c.display_name.is_not(None),
    practitioners.c.status == "active",
)


# Locations booking books at: not retired and not deactivated (NULL: announced before `active`).
OPEN_LOCATION = and_(locations.c.retired.is_(False), locations.c.active.is_not(False))


@dataclass(frozen=True, slots=True)
class Placement:
    """A practitioner working at a location, with the location's zone."""

    practitioner_id: UUID
    location_id: UUID
    zone: ZoneInfo


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


def _wanted(
    assigned: Mapping[UUID, Iterable[UUID]], location_id: UUID | None
) -> dict[UUID, set[UUID]]:
    """Each eligible practitioner's catalog locations, filtered to `location_id` if given."""
    wanted: dict[UUID, set[UUID]] = {who: set(at) for who, at in assigned.items()}
    if location_id is not None:
        wanted = {p: at & {location_id} for p, at in wanted.items()}
    return wanted


def _placed(
    ids: list[UUID], wanted: Mapping[UUID, set[UUID]], zones: Mapping[UUID, ZoneInfo]
) -> list[Placement]:
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
    # Two statements whatever the count: per-statement overhead, not rows, dominated the load of
    # a practitioner's day. The first brings the practitioners and all their rules ...
    values = {"asked": ids, "first": first, "last": last, "low": low, "high": high}
    bundle = (await session.execute(BUNDLE, values)).one()
    loaded = decode(bundle, {str(i): i for i in ids}, (low, high))
    wanted = _wanted(loaded.people, location_id)
    candidates = list({at for places in wanted.values() for at in places})
    if not candidates:
        return {}
    # ... the second their candidate locations' zones, clinic hours and holidays.
    where = {"places": candidates, "first": first, "last": last}
    zones, hours, days_off = _decode_locations((await session.execute(LOCATIONS, where)).one())
    result: dict[tuple[UUID, UUID], ScheduleRules] = {}
    for place in _placed(ids, wanted, zones):
        mine = loaded.rules[place.practitioner_id]
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


def exception_rule(row: Row[Any]) -> AvailabilityException:
    """The engine's view of one stored exception."""
    return AvailabilityException(
        kind=cast(Literal["blocked", "available"], row.kind),
        on=row.on_date,
        rrule=row.rrule,
        dtstart=row.dtstart,
        exdates=frozenset(row.exdates),
        rdates=frozenset(row.rdates),
        start=row.start_time,
        end=row.end_time,
        appointment_type_id=row.appointment_type_id,
        location_id=row.location_id,
        max_parallel_sessions=row.max_parallel_sessions,
    )


def block_rule(row: Row[Any]) -> RecurringBlock:
    """The recurring view of one stored forced block that has a rule."""
    return RecurringBlock(
        row.start_at,
        row.end_at,
        ZoneInfo(row.timezone),
        row.rrule,
        frozenset(row.exdates),
        frozenset(row.rdates),
        cast(Literal["forced", "emergency"], row.kind),
    )


def holiday_rule(
    on: date, rule: str | None, exdates: Iterable[date], rdates: Iterable[date]
) -> Holiday:
    """The engine's view of one stored holiday (recurring from `on` when it has a rule)."""
    if rule is None:
        return Holiday(on)
    return Holiday(on, Recurrence(rule, on, frozenset(exdates), frozenset(rdates)))


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


def _location_bundle() -> Select[Any]:
    """Zones, clinic hours and holidays of the asked locations, as JSON columns of one row."""
    places = bindparam("places", type_=ARRAY(Uuid))
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    tenant = current_tenant()  # leakproof, so the primary keys (tenant first) serve these
    zones = select(locations.c.id, locations.c.timezone).where(
        locations.c.tenant_id == tenant, locations.c.id == any_(places), OPEN_LOCATION
    )
    c = clinic_hours
    hours = select(c.c.location_id, c.c.weekly, c.c.date_overrides, c.c.closed_dates).where(
        c.c.tenant_id == tenant, c.c.location_id == any_(places)
    )
    h = holidays.c
    days_off = select(h.location_id, h.on_date, h.rrule, h.exdates, h.rdates).where(
        h.tenant_id == tenant,
        h.location_id == any_(places),
        or_(h.on_date.between(first, last), and_(h.rrule.is_not(None), h.on_date <= last)),
    )
    parts = {"zones": zones, "hours": hours, "holidays": days_off}
    return select(*(json_rows(query).label(name) for name, query in parts.items()))


def _decode_locations(
    row: Row[Any],
) -> tuple[dict[UUID, ZoneInfo], dict[UUID, ClinicHours], dict[UUID, list[Holiday]]]:
    zones = {UUID(at): zone for at, name in row.zones if (zone := zone_of(name)) is not None}
    hours = {
        UUID(at): clinic_hours_rule(weekly, overrides, map(date.fromisoformat, closed))
        for at, weekly, overrides, closed in row.hours
    }
    days_off: dict[UUID, list[Holiday]] = defaultdict(list)
    for at, on, rule, skipped, added in row.holidays:
        days_off[UUID(at)].append(
            holiday_rule(date.fromisoformat(on), rule, dates(skipped), dates(added))
        )
    return zones, hours, days_off


# Built once: constructing the statements cost more than running them for one practitioner's day.
BUNDLE = build_bundle(OCCUPYING, ELIGIBLE)
LOCATIONS = _location_bundle()
