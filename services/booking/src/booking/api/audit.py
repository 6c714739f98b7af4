"""The audit trail of one appointment, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import select

from booking.api.deps import ContextDep
from booking.store.tables.audit import audit_log
from clinic_platform.auth import Permission
from clinic_platform.auth import require as needs

router = APIRouter(tags=["audit"])


class AuditEntry(BaseModel):
    """One change: who, when, what, and the state before and after."""

    action: str
    actor_subject: str
    actor_roles: list[str]
    at: datetime
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str | None


@router.get("/appointments/{appointment_id}/audit", dependencies=[needs(Permission.AUDIT_READ)])
async def appointment_audit(appointment_id: UUID, ctx: ContextDep) -> list[AuditEntry]:
    """Every recorded change of the appointment (empty for an id the tenant does not have)."""
    async with ctx.uow:
        rows = await ctx.uow.session.execute(
            select(audit_log)
            .where(
                audit_log.c.entity_type == "appointment", audit_log.c.entity_id == appointment_id
            )
            .order_by(audit_log.c.id)
        )
        return [AuditEntry.model_validate(row, from_attributes=True) for row in rows]
