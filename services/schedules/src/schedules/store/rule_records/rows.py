"""Generic rows keyed by (tenant_id, id), and local times as the JSON documents store them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import Row, Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

Document = list[dict[str, Any]]


def clock_text(at: time) -> str:
    """A local time as stored: "HH:MM", or "HH:MM:SS" when it has seconds."""
    return at.isoformat(timespec="seconds" if at.second else "minutes")


async def one(session: AsyncSession, query: Any) -> Row[Any]:
    """The one row a statement returns."""
    row: Row[Any] = (await session.execute(query)).one()
    return row


async def get(
    session: AsyncSession, table: Table, row_id: UUID, *, lock: bool = False
) -> Row[Any] | None:
    """One row by id (row-level security keeps it to the caller's tenant), or None."""
    query = select(table).where(table.c.id == row_id)
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def add(session: AsyncSession, table: Table, tenant_id: UUID, **values: Any) -> Row[Any]:
    """Insert a row (a new id unless given) and return it."""
    values.setdefault("id", uuid4())
    query = insert(table).values(tenant_id=tenant_id, **values).returning(table)
    return await one(session, query)


async def change(session: AsyncSession, table: Table, row_id: UUID, **values: Any) -> Row[Any]:
    """Update a row's columns (and `updated_at`) and return it."""
    query = (
        update(table)
        .where(table.c.id == row_id)
        .values(**values, updated_at=func.now())
        .returning(table)
    )
    return await one(session, query)


async def remove(session: AsyncSession, table: Table, row_id: UUID) -> None:
    """Delete a row."""
    await session.execute(delete(table).where(table.c.id == row_id))


async def rows(
    session: AsyncSession, table: Table, *where: Any, order: Sequence[Any] = ()
) -> list[Row[Any]]:
    """Rows matching every condition, in `order`."""
    return list(await session.execute(select(table).where(*where).order_by(*order)))
