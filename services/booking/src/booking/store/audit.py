"""The audit log: appending inside the caller's transaction, and reading an entity's trail."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic_core import to_jsonable_python
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from booking.store.tables.audit import audit_log
from clinic_platform.auth import Principal


async def append_audit(
    session: AsyncSession,
    actor: Principal,
    *,
    entity_type: str,
    entity_id: UUID,
    action: str,
    before: Mapping[str, object] | None = None,
    after: Mapping[str, object] | None = None,
    reason: str | None = None,
) -> None:
    """Record one change; the log is append-only (a trigger refuses updates and deletes)."""
    await session.execute(
        insert(audit_log).values(
            tenant_id=actor.tenant_id,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            actor_subject=actor.subject,
            actor_roles=sorted(actor.roles),
            before=to_jsonable_python(before) if before is not None else None,
            after=to_jsonable_python(after) if after is not None else None,
            reason=reason,
        )
    )


@dataclass(frozen=True)
class AuditRecord:
    """One recorded change: who, when, what, and the state before and after."""

    action: str
    actor_subject: str
    actor_roles: list[str]
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


async def trail(session: AsyncSession, entity_type: str, entity_id: UUID) -> list[AuditRecord]:
    """Every change recorded for the entity, oldest first."""
    c = audit_log.c
    rows = await session.execute(
        select(c.action, c.actor_subject, c.actor_roles, c.at, c.before, c.after, c.reason)
        .where(c.entity_type == entity_type, c.entity_id == entity_id)
        .order_by(c.id)
    )
    return [AuditRecord(**row._mapping) for row in rows]
