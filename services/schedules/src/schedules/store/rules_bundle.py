"""The loader's one statement: every rule, occupation and busy time of many practitioners, as
JSON columns of a single row, and its decoding into the engine's inputs.

Per-statement overhead, not rows, dominated loading a practitioner's day, so the six tables are
read in one round trip. Each part names the transaction's tenant as RLS does: under forced RLS
only leakproof quals (uuid =, timestamptz <) can use an index (see migration 0005).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import (
    TIMESTAMP,
    ColumnElement,
    Date,
    Row,
    Select,
    Table,
    Text,
    Uuid,
    and_,
    any_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.selectable import ScalarSelect

from clinic_platform.store.sessions import TENANT_SETTING
from schedules.domain import (
    AvailabilityException,
    BookedInterval,
    BusyInterval,
    ForcedBlock,
    Leave,
    WeeklyInterval,
)
from schedules.domain.blocks import RecurringBlock, occurrences
from schedules.store.tables import (
    booked_intervals,
    busy_intervals,
    exceptions,
    forced_blocks,
    leaves,
    practitioners,
    weekly_templates,
)

# Booking caps an appointment type's duration and each of its buffers at a day, so no occupation
# spans more than three; the loader looks that far back for occupations reaching its window.
MAX_OCCUPATION = timedelta(days=3)
BLOCK_COLUMNS = ("practitioner_id", "kind", "start_at", "end_at", "rrule", "timezone")
EXCEPTION_COLUMNS = (
    "practitioner_id",
    "kind",
    "on_date",
    "rrule",
    "dtstart",
    "exdates",
    "rdates",
    "start_time",
    "end_time",
    "appointment_type_id",
    "location_id",
    "max_parallel_sessions",
)
BOOKED_COLUMNS = (
    "start_at",
    "end_at",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "expires_at",
)


@dataclass(slots=True)
class PerPractitioner:
    """One practitioner's rules as loaded, before they meet a placement."""

    weekly: list[WeeklyInterval] = field(default_factory=list)
    exceptions: list[AvailabilityException] = field(default_factory=list)
    leaves: list[Leave] = field(default_factory=list)
    blocks: list[ForcedBlock] = field(default_factory=list)
    booked: list[BookedInterval] = field(default_factory=list)
    busy: list[BusyInterval] = field(default_factory=list)


def weekly(
    location_id: UUID, since: date, until: date | None, items: Iterable[Mapping[str, Any]]
) -> list[WeeklyInterval]:
    """The intervals of a stored template, each valid over its effective dates."""
    return [
        WeeklyInterval(
            weekday=item["weekday"],
            start=time.fromisoformat(item["start"]),
            end=time.fromisoformat(item["end"]),
            max_parallel_sessions=item.get("max_parallel_sessions", 1),
            location_id=location_id,
            effective_from=since,
            effective_to=until,
        )
        for item in items
    ]


def json_rows(query: Select[Any]) -> ScalarSelect[Any]:
    """The query's rows as one JSON array of arrays, empty when there are none."""
    rows = query.subquery()
    found = func.json_agg(func.json_build_array(*rows.c))
    return select(func.coalesce(found, literal_column("'[]'::json"))).scalar_subquery()


def current_tenant() -> ColumnElement[Any]:
    """The transaction's tenant as the RLS policy reads it, to name it in leakproof quals."""
    return func.nullif(func.current_setting(TENANT_SETTING, True), "").cast(Uuid)


def build_bundle(occupying: ColumnElement[bool], eligible: ColumnElement[bool]) -> Select[Any]:
    """The eligible asked practitioners with their catalog locations, and their templates,
    exceptions, approved leave, standing blocks, occupations (a row per asked practitioner) and
    busy times, each as a JSON column of one row."""
    asked = bindparam("asked", type_=ARRAY(Uuid))
    first, last = bindparam("first", type_=Date), bindparam("last", type_=Date)
    instant = TIMESTAMP(timezone=True)
    low, high = bindparam("low", type_=instant), bindparam("high", type_=instant)
    tenant = current_tenant()

    def of(table: Table, *columns: str) -> Select[Any]:
        """The asked practitioners' rows of a rules table, in this tenant."""
        query = select(*(table.c[name] for name in columns))
        return query.where(table.c.tenant_id == tenant, table.c.practitioner_id == any_(asked))

    t, e, v, f = weekly_templates, exceptions, leaves, forced_blocks
    # Intervals as text: the decoder memoises a template's intervals by it (see `template`).
    templates = (
        of(t, "practitioner_id", "location_id", "effective_from", "effective_to")
        .add_columns(t.c.intervals.cast(Text))
        .where(
            t.c.effective_from <= last, or_(t.c.effective_to.is_(None), t.c.effective_to >= first)
        )
    )
    exception_rows = of(e, *EXCEPTION_COLUMNS).where(
        or_(e.c.on_date.between(first, last), and_(e.c.rrule.is_not(None), e.c.dtstart <= last))
    )
    leave_rows = of(v, "practitioner_id", "start_at", "end_at").where(
        v.c.status == "approved", v.c.start_at < high, v.c.end_at > low
    )
    # A recurring block's later times reach the window from a first time before it.
    block_rows = of(f, *BLOCK_COLUMNS, "exdates", "rdates").where(
        f.c.lifted_at.is_(None),
        f.c.start_at < high,
        or_(f.c.end_at > low, f.c.rrule.is_not(None)),
    )
    busy = of(busy_intervals, "practitioner_id", "start_at", "end_at").where(
        busy_intervals.c.start_at < high, busy_intervals.c.end_at > low
    )
    b = booked_intervals
    occupied = (
        select(
            func.unnest(b.c.practitioner_ids).label("practitioner_id"),
            *(b.c[name] for name in BOOKED_COLUMNS),
        )
        .where(
            b.c.tenant_id == tenant,
            # Bounded below by the longest occupation, so the (tenant, start) index serves it.
            b.c.blocked_from >= low - MAX_OCCUPATION,
            b.c.blocked_from < high,
            b.c.blocked_until > low,
            b.c.practitioner_ids.overlap(asked),
            occupying,
        )
        .subquery()
    )
    booked = select(occupied).where(occupied.c.practitioner_id == any_(asked))
    p = practitioners
    people = select(p.c.id, p.c.location_ids).where(
        p.c.tenant_id == tenant, p.c.id == any_(asked), eligible
    )
    parts = {"people": people, "templates": templates, "exceptions": exception_rows}
    parts |= {"leaves": leave_rows, "blocks": block_rows, "booked": booked, "busy": busy}
    return select(*(json_rows(query).label(name) for name, query in parts.items()))


@lru_cache(maxsize=4096)
def template(
    location_id: str, since: str, until: str | None, items: str
) -> tuple[WeeklyInterval, ...]:
    """A stored template's intervals, built once per version: templates change rarely, and
    building their intervals dominated loading fifty practitioners' weeks."""
    end = date.fromisoformat(until) if until else None
    found = weekly(UUID(location_id), date.fromisoformat(since), end, json.loads(items))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Loaded:
    """The bundle decoded: rules per practitioner and the locations the catalog gives them."""

    rules: dict[UUID, PerPractitioner]
    people: dict[UUID, list[UUID]]


def decode(
    bundle: Row[Any], by_text: Mapping[str, UUID], reach: tuple[datetime, datetime]
) -> Loaded:
    """The bundle's JSON as the engine's inputs (`by_text`: the asked ids by their text),
    recurring blocks as their times within `reach`."""
    per: dict[UUID, PerPractitioner] = defaultdict(PerPractitioner)
    instant, day = datetime.fromisoformat, date.fromisoformat
    people = {by_text[who]: [UUID(at) for at in assigned] for who, assigned in bundle.people}
    for who, at, since, until, items in bundle.templates:
        per[by_text[who]].weekly.extend(template(at, since, until, items))
    for (
        who,
        kind,
        on,
        rule,
        dtstart,
        skipped,
        added,
        start,
        end,
        type_id,
        at,
        sessions,
    ) in bundle.exceptions:
        per[by_text[who]].exceptions.append(
            AvailabilityException(
                kind=kind,
                on=day(on) if on else None,
                rrule=rule,
                dtstart=day(dtstart) if dtstart else None,
                exdates=dates(skipped),
                rdates=dates(added),
                start=time.fromisoformat(start) if start else None,
                end=time.fromisoformat(end) if end else None,
                appointment_type_id=UUID(type_id) if type_id else None,
                location_id=UUID(at) if at else None,
                max_parallel_sessions=sessions,
            )
        )
    for who, start, end in bundle.leaves:
        per[by_text[who]].leaves.append(Leave(instant(start), instant(end), approved=True))
    for who, kind, start, end, rule, zone, skipped, added in bundle.blocks:
        if rule is None:
            per[by_text[who]].blocks.append(ForcedBlock(instant(start), instant(end), kind))
            continue
        block = RecurringBlock(
            instant(start), instant(end), ZoneInfo(zone), rule, dates(skipped), dates(added), kind
        )
        per[by_text[who]].blocks.extend(occurrences(block, *reach))
    for who, start, end, before, after, expires in bundle.booked:
        per[by_text[who]].booked.append(
            BookedInterval(
                instant(start),
                instant(end),
                _minutes(before),
                _minutes(after),
                instant(expires) if expires else None,
            )
        )
    for who, start, end in bundle.busy:
        per[by_text[who]].busy.append(BusyInterval(instant(start), instant(end)))
    return Loaded(per, people)


def dates(texts: Iterable[str]) -> frozenset[date]:
    """ISO dates of a JSON array (a recurrence's skipped or added dates)."""
    return frozenset(map(date.fromisoformat, texts))


@lru_cache(maxsize=256)
def _minutes(count: int) -> timedelta:
    return timedelta(minutes=count)
