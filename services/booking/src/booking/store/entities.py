"""A generic repository of tenant-owned entities: plain functions over a session, no commits.

A `Kind` says how one entity type is stored (its table, its join-table lists, the column that
marks it gone); the functions read and write any kind and return frozen domain entities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Generic, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel
from sqlalchemy import (
    RowMapping,
    Select,
    Table,
    delete,
    exists,
    func,
    insert,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

E = TypeVar("E", bound=BaseModel)
After = tuple[datetime, UUID]
"""Keyset position: list rows strictly after this `(created_at, id)`."""


@dataclass(frozen=True)
class Link:
    """A many-to-many list stored in a join table, read and written as one list field."""

    table: Table
    parent: str  # e.g. "practitioner_id"
    child: str  # e.g. "location_id"
    field: str  # e.g. "location_ids"


@dataclass(frozen=True)
class Kind(Generic[E]):
    """How one entity type is stored."""

    name: str  # "location", "appointment_type": audit entity type
    table: Table
    entity: type[E]
    links: tuple[Link, ...] = ()
    gone: str = "retired_at"  # set when the entity left for good
    show_gone: bool = True  # whether `get` still returns it then

    def _select(self) -> Select[tuple[object, ...]]:
        columns = [self._aggregate(link) for link in self.links]
        return select(self.table, *columns)

    def _aggregate(self, link: Link) -> ColumnElement[object]:
        child = link.table.c[link.child]
        query = select(func.array_agg(child.distinct())).where(
            link.table.c[link.parent] == self.table.c.id
        )
        return query.scalar_subquery().label(link.field)

    def _entity(self, row: RowMapping) -> E:
        values = dict(row)
        for link in self.links:
            values[link.field] = values[link.field] or []
        return self.entity.model_validate(values)


async def get(
    session: AsyncSession, kind: Kind[E], entity_id: UUID, *, lock: bool = False
) -> E | None:
    """The entity, or None; `lock` takes a row lock for a read-modify-write."""
    query = kind._select().where(kind.table.c.id == entity_id)
    if not kind.show_gone:
        query = query.where(kind.table.c[kind.gone].is_(None))
    if lock:
        query = query.with_for_update(of=kind.table)
    row = (await session.execute(query)).mappings().one_or_none()
    return kind._entity(row) if row is not None else None


async def get_many(
    session: AsyncSession, kind: Kind[E], ids: Sequence[UUID], *, share: bool = False
) -> list[E]:
    """The entities among `ids` that exist; `share` keeps them from changing until commit."""
    if not ids:
        return []
    query = kind._select().where(kind.table.c.id.in_(ids)).order_by(kind.table.c.id)
    if share:
        query = query.with_for_update(read=True, of=kind.table)
    return [kind._entity(row) for row in (await session.execute(query)).mappings()]


async def page(
    session: AsyncSession,
    kind: Kind[E],
    *,
    limit: int,
    after: After | None = None,
    include_gone: bool = False,
    where: Mapping[str, object] | None = None,
) -> list[E]:
    """Up to `limit` entities in creation order after `after`; `where` filters equal columns
    or link members (e.g. `{"location_ids": id}`)."""
    table = kind.table
    query = kind._select().order_by(table.c.created_at, table.c.id).limit(limit)
    if after is not None:
        query = query.where(tuple_(table.c.created_at, table.c.id) > tuple_(*after))
    query = query.where(*_filters(kind, include_gone, where or {}))
    return [kind._entity(row) for row in (await session.execute(query)).mappings()]


async def insert_entity(
    session: AsyncSession, kind: Kind[E], tenant_id: UUID, spec: BaseModel
) -> E:
    """Store a new entity from its spec; returns it as read back."""
    entity_id = uuid4()
    values = _columns(kind, spec)
    await session.execute(insert(kind.table).values(id=entity_id, tenant_id=tenant_id, **values))
    await _write_links(session, kind, tenant_id, entity_id, spec)
    return await _reread(session, kind, entity_id)


async def replace_entity(
    session: AsyncSession, kind: Kind[E], tenant_id: UUID, entity_id: UUID, spec: BaseModel
) -> E:
    """Overwrite an entity's writable state with `spec`; returns it as read back."""
    values = _columns(kind, spec)
    query = update(kind.table).where(kind.table.c.id == entity_id)
    await session.execute(query.values(**values, updated_at=func.now()))
    await _write_links(session, kind, tenant_id, entity_id, spec, replace=True)
    return await _reread(session, kind, entity_id)


async def mark_gone(
    session: AsyncSession, kind: Kind[E], entity_id: UUID, **scrub: object
) -> datetime:
    """Set the entity's retired/erased time (and overwrite `scrub` columns); returns the time."""
    table = kind.table
    query = update(table).where(table.c.id == entity_id).returning(table.c[kind.gone])
    values = {kind.gone: func.now(), "updated_at": func.now(), **scrub}
    gone_at: datetime = (await session.execute(query.values(values))).scalar_one()
    return gone_at


async def count_live(session: AsyncSession, kind: Kind[E], **where: object) -> int:
    """How many live entities have the given column values (or link members)."""
    query = select(func.count()).select_from(kind.table).where(*_filters(kind, False, where))
    count: int = (await session.execute(query)).scalar_one()
    return count


def _filters(
    kind: Kind[E], include_gone: bool, where: Mapping[str, object]
) -> list[ColumnElement[bool]]:
    table = kind.table
    found: list[ColumnElement[bool]] = []
    if not include_gone or not kind.show_gone:
        found.append(table.c[kind.gone].is_(None))
    links = {link.field: link for link in kind.links}
    for name, value in where.items():
        if (link := links.get(name)) is not None:
            member = (link.table.c[link.parent] == table.c.id) & (link.table.c[link.child] == value)
            found.append(exists().where(member))
        else:
            found.append(table.c[name] == value)
    return found


async def _write_links(
    session: AsyncSession,
    kind: Kind[E],
    tenant_id: UUID,
    entity_id: UUID,
    spec: BaseModel,
    *,
    replace: bool = False,
) -> None:
    for link in kind.links:
        if replace:
            await session.execute(delete(link.table).where(link.table.c[link.parent] == entity_id))
        ids: list[UUID] = getattr(spec, link.field)
        rows = [{"tenant_id": tenant_id, link.parent: entity_id, link.child: i} for i in ids]
        if rows:
            await session.execute(insert(link.table), rows)


async def _reread(session: AsyncSession, kind: Kind[E], entity_id: UUID) -> E:
    entity = await get(session, kind, entity_id)
    if entity is None:  # pragma: no cover - just written in this transaction
        raise LookupError(f"{kind.name} {entity_id} vanished")
    return entity


def _columns(kind: Kind[E], spec: BaseModel) -> dict[str, object]:
    skip = {link.field for link in kind.links}
    values = spec.model_dump(exclude=skip)
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}
