"""Appending to the audit log inside the caller's transaction."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from pydantic_core import to_jsonable_python
from sqlalchemy import insert
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
