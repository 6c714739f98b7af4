"""Idempotency keys: a retried POST gets the first answer back and books nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from booking.store.tables.appointments import idempotency_keys as keys
from clinic_platform.errors import Conflict, RuleViolation


@dataclass(frozen=True)
class Replay:
    """The stored answer to the first request that used the key."""

    status_code: int
    body: Any


async def claim(
    session: AsyncSession, tenant_id: UUID, subject: str, key: str, fingerprint: str
) -> Replay | None:
    """None when this request is the first with `key`; else the first request's answer."""
    # A concurrent first request holds the key's index entry until it commits; this insert
    # waits for it and then finds the row, so two racing retries cannot both book.
    claimed = await session.scalar(
        insert(keys)
        .values(tenant_id=tenant_id, actor_subject=subject, key=key, fingerprint=fingerprint)
        .on_conflict_do_nothing()
        .returning(keys.c.key)
    )
    if claimed is not None:
        return None
    row = (
        await session.execute(
            select(keys.c.fingerprint, keys.c.status_code, keys.c.response).where(
                keys.c.tenant_id == tenant_id, keys.c.actor_subject == subject, keys.c.key == key
            )
        )
    ).one()
    if row.fingerprint != fingerprint:
        raise RuleViolation(
            "this Idempotency-Key was used with a different request",
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    if row.status_code is None:  # pragma: no cover - the first request committed without answer
        raise Conflict(
            "the first request with this key is still running", code="idempotency_key_in_flight"
        )
    return Replay(row.status_code, row.response)


async def remember(
    session: AsyncSession, tenant_id: UUID, subject: str, key: str, status_code: int, body: Any
) -> None:
    """Store the answer with the change it describes (same transaction)."""
    await session.execute(
        update(keys)
        .where(keys.c.tenant_id == tenant_id, keys.c.actor_subject == subject, keys.c.key == key)
        .values(status_code=status_code, response=body)
    )
