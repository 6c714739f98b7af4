"""Availability queries: a practitioner's slots on a date, the range search across practitioners,
and the check booking asks before it books. Read-only; each loads its rules with one batched
`load_rules` call (a fixed number of queries whatever the number of practitioners).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts.http.availability import LOCATION_NOT_FOUND
from clinic_platform.errors import NotFound, RuleViolation
from schedules.domain import DateRange, ScheduleRules, Slot, SlotQuery, UtcRange, available_slots
from schedules.domain.check import CheckQuery, Verdict, check_interval
from schedules.domain.local_time import day_start, to_instant, to_seconds
from schedules.domain.paging import SlotKey
from schedules.service.access import known_practitioner
from schedules.store.rules import ELIGIBLE, load_rules
from schedules.store.tables import appointment_types, equipment, practitioners, rooms

MAX_RANGE_DAYS = 31
MAX_CHECK = timedelta(days=MAX_RANGE_DAYS)


@dataclass(frozen=True, slots=True)
class Offering:
    """What the appointment-type replica says about slots of that type."""

    id: UUID
    duration: timedelta
    buffer_before: timedelta
    buffer_after: timedelta
    min_notice: timedelta
    max_future_days: int | None
    # Locations where booking can place it (its room and equipment live there); None: anywhere.
    sites: frozenset[UUID] | None = None

    def offered_at(self, location_id: UUID) -> bool:
        """Whether booking would accept this type at the location."""
        return self.sites is None or location_id in self.sites


@dataclass(frozen=True, slots=True)
class PlacedSlot:
    """A slot of one practitioner at one location (whose zone renders its local times)."""

    practitioner_id: UUID
    location_id: UUID
    zone: ZoneInfo
    slot: Slot

    @property
    def key(self) -> SlotKey:
        """The range search's sort key, unique per slot."""
        return self.slot.start, self.practitioner_id, self.location_id


@dataclass(frozen=True, slots=True)
class RangeSearch:
    """Slots of one type for many practitioners over local dates `first`..`last`."""

    first: date
    last: date
    appointment_type_id: UUID
    limit: int
    location_id: UUID | None = None
    practitioner_ids: tuple[UUID, ...] = ()
    after: SlotKey | None = None
    step: timedelta | None = None

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise RuleViolation("`to` is before `from`", code="range_reversed", field="to")
        if (self.last - self.first).days >= MAX_RANGE_DAYS:
            raise RuleViolation(
                f"a search spans at most {MAX_RANGE_DAYS} days",
                code="range_too_long",
                field="to",
                extra={"max_days": MAX_RANGE_DAYS},
            )


def _minutes(value: int | None) -> timedelta:
    return timedelta(minutes=value or 0)


async def offering(session: AsyncSession, type_id: UUID) -> Offering:
    """The type's slot rules; 404 when unknown or retired, 422 when inactive."""
    row = (
        await session.execute(select(appointment_types).where(appointment_types.c.id == type_id))
    ).first()
    if row is None or row.retired or not row.duration_minutes:
        raise NotFound(
            f"no appointment type {type_id}",
            code="appointment_type_not_found",
            field="appointment_type_id",
        )
    if row.active is False:
        raise RuleViolation(
            "the appointment type is not offered",
            code="appointment_type_inactive",
            field="appointment_type_id",
        )
    return Offering(
        type_id,
        _minutes(row.duration_minutes),
        _minutes(row.buffer_before_minutes),
        _minutes(row.buffer_after_minutes),
        _minutes(row.min_notice_minutes),
        row.max_future_days,
        await _sites(session, row.default_room_id, row.required_equipment_ids),
    )


async def _sites(
    session: AsyncSession, room_id: UUID | None, equipment_ids: list[UUID]
) -> frozenset[UUID] | None:
    """Where a type with this room and equipment can be booked: where all of them are, live."""
    if room_id is None and not equipment_ids:
        return None
    found = select(rooms.c.location_id, rooms.c.retired).where(rooms.c.id == room_id)
    things = select(equipment.c.location_id, equipment.c.retired).where(
        equipment.c.id.in_(equipment_ids)
    )
    rows = (await session.execute(found.union_all(things))).all()
    if len(rows) < (room_id is not None) + len(set(equipment_ids)) or any(r.retired for r in rows):
        return frozenset()  # one of them is unknown here or retired: booking refuses it anywhere
    return frozenset.intersection(*(frozenset({r.location_id}) for r in rows))


def _query(
    kind: Offering, window: DateRange | UtcRange, now: datetime, step: timedelta | None
) -> SlotQuery:
    return SlotQuery(
        duration=kind.duration,
        window=window,
        now=now,
        step=step,
        buffer_before=kind.buffer_before,
        buffer_after=kind.buffer_after,
        min_notice=kind.min_notice,
        max_future_days=kind.max_future_days,
        appointment_type_id=kind.id,
    )


def _placement_missing(practitioner_id: UUID, location_id: UUID) -> NotFound:
    return NotFound(
        f"practitioner {practitioner_id} does not work at location {location_id}",
        code=LOCATION_NOT_FOUND,
        field="location_id",
        extra={"location_id": str(location_id)},
    )


async def day_slots(
    session: AsyncSession,
    practitioner_id: UUID,
    day: date,
    type_id: UUID,
    *,
    now: datetime,
    location_id: UUID | None = None,
    step: timedelta | None = None,
) -> list[PlacedSlot]:
    """Slots of the local date at each of the practitioner's locations, by start."""
    kind = await offering(session, type_id)
    found = await load_rules(session, [practitioner_id], day, day, location_id=location_id)
    if not found:
        # Only now tell an unknown practitioner (404) from one with no placement there.
        await known_practitioner(session, practitioner_id)
        if location_id is not None:
            raise _placement_missing(practitioner_id, location_id)
    query = _query(kind, DateRange(day, day), now, step)
    placed = [
        PlacedSlot(practitioner_id, at, rules.zone, slot)
        for (_, at), rules in found.items()
        if kind.offered_at(at)
        for slot in available_slots(rules, query)
    ]
    return sorted(placed, key=lambda p: p.key)


async def _candidates(session: AsyncSession, search: RangeSearch) -> list[UUID]:
    """The tenant's practitioners the search may name: not retired or inactive, filtered."""
    table = practitioners
    query = select(table.c.id).where(ELIGIBLE)
    if search.practitioner_ids:
        query = query.where(table.c.id.in_(search.practitioner_ids))
    if search.location_id is not None:
        # Placements are the catalog's locations (see `store.rules`).
        query = query.where(table.c.location_ids.contains([search.location_id]))
    return list((await session.execute(query)).scalars())


def _window(rules: ScheduleRules, search: RangeSearch) -> DateRange | UtcRange | None:
    """The search's dates, or only what starts at or after the cursor; None when nothing does."""
    if search.after is None:
        return DateRange(search.first, search.last)
    # Alignment follows each window's start, so narrowing the range moves no slot.
    low = max(to_seconds(search.after[0]), day_start(search.first, rules.zone))
    high = day_start(search.last + timedelta(days=1), rules.zone)
    return UtcRange(to_instant(low), to_instant(high)) if low < high else None


async def search_slots(
    session: AsyncSession, search: RangeSearch, *, now: datetime
) -> tuple[list[PlacedSlot], bool]:
    """One page of slots by (start, practitioner, location), and whether more follow."""
    kind = await offering(session, search.appointment_type_id)
    ids = await _candidates(session, search)
    found = await load_rules(
        session, ids, search.first, search.last, location_id=search.location_id
    )

    def runs() -> Iterator[list[PlacedSlot]]:
        for (practitioner_id, at), rules in found.items():
            if not kind.offered_at(at):
                continue
            window = _window(rules, search)
            if window is not None:
                slots = available_slots(rules, _query(kind, window, now, search.step))
                yield [PlacedSlot(practitioner_id, at, rules.zone, slot) for slot in slots]

    # Each run is sorted by start with a constant (practitioner, location): a k-way merge sorts all.
    merged = heapq.merge(*runs(), key=lambda p: p.key)
    if search.after is not None:
        after = search.after
        merged = (placed for placed in merged if placed.key > after)
    page = list(islice(merged, search.limit + 1))
    return page[: search.limit], len(page) > search.limit


async def check(
    session: AsyncSession,
    practitioner_id: UUID,
    location_id: UUID,
    query: CheckQuery,
) -> Verdict:
    """Whether the interval is bookable at the location, and why not; 404 off its placements.

    With occupancy and a type, the type's buffers widen the interval as they widen a slot.
    """
    if query.end - query.start > MAX_CHECK:
        raise RuleViolation(
            f"an interval spans at most {MAX_RANGE_DAYS} days",
            code="interval_too_long",
            field="end",
        )
    if query.include_occupancy and query.appointment_type_id is not None:
        kind = await offering(session, query.appointment_type_id)
        query = replace(query, buffer_before=kind.buffer_before, buffer_after=kind.buffer_after)
    # Local dates of the interval in any zone lie within a day of its UTC dates.
    first = query.start.astimezone(UTC).date() - timedelta(days=1)
    last = query.end.astimezone(UTC).date() + timedelta(days=1)
    found = await load_rules(session, [practitioner_id], first, last, location_id=location_id)
    rules = found.get((practitioner_id, location_id))
    if rules is None:
        await known_practitioner(session, practitioner_id)
        raise _placement_missing(practitioner_id, location_id)
    return check_interval(rules, query)
