"""Event-fed replicas: last writer wins by CloudEvent time, so replays and stale events are no-ops.

Every replica row carries `tenant_id`, its key, `event_time` (the time of the last event applied to
it) and `updated_at`. Handlers call these inside the event tenant's inbox transaction (row-level
security on); they never commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_platform.inbox import ReceivedEvent


def stamp(event: ReceivedEvent, **values: Any) -> dict[str, Any]:
    """`values` with the event's tenant and time (the row's last-writer-wins clock)."""
    return {"tenant_id": event.envelope.tenantid, "event_time": event.envelope.time, **values}


async def upsert_latest(
    session: AsyncSession,
    table: Table,
    event: ReceivedEvent,
    *,
    key: str = "id",
    tombstone: str | None = None,
    **values: Any,
) -> bool:
    """Insert or overwrite the row `(tenant_id, key)` unless it reflects a later event or carries
    the `tombstone` flag; True if written. Equal times apply (per-key order puts the later last)."""
    row = stamp(event, **values)
    statement = insert(table).values(row)
    changes = {name: statement.excluded[name] for name in row if name not in ("tenant_id", key)}
    condition = table.c.event_time <= statement.excluded.event_time
    if tombstone is not None:
        condition = condition & table.c[tombstone].is_(False)
    upsert = statement.on_conflict_do_update(
        index_elements=["tenant_id", key],
        set_={**changes, "updated_at": func.now()},
        where=condition,
    ).returning(table.c[key])
    return (await session.execute(upsert)).first() is not None


async def bury(
    session: AsyncSession,
    table: Table,
    event: ReceivedEvent,
    entity_id: object,
    *,
    flag: str = "retired",
    cleared: tuple[str, ...] = (),
) -> None:
    """Set the tombstone `flag` for good and clear the `cleared` columns (retired, erased).

    It sticks whatever the order of arrival: unseen entities get a tombstone row, and moving
    `event_time` forward makes any older upsert that arrives later a no-op.
    """
    values = {flag: True, **dict.fromkeys(cleared)}
    statement = insert(table).values(stamp(event, id=entity_id, **values))
    statement = statement.on_conflict_do_update(
        index_elements=["tenant_id", "id"],
        set_={
            **values,
            "event_time": func.greatest(table.c.event_time, statement.excluded.event_time),
            "updated_at": func.now(),
        },
    )
    await session.execute(statement)


async def update_if_newer(
    session: AsyncSession,
    table: Table,
    event: ReceivedEvent,
    entity_id: object,
    *,
    key: str = "id",
    **values: Any,
) -> bool:
    """Change an existing row unless it already reflects a later event; True if changed."""
    statement = (
        update(table)
        .where(
            table.c.tenant_id == event.envelope.tenantid,
            table.c[key] == entity_id,
            table.c.event_time <= event.envelope.time,
        )
        .values(event_time=event.envelope.time, updated_at=func.now(), **values)
        .returning(table.c[key])
    )
    return (await session.execute(statement)).first() is not None
