"""The audit trail of one appointment, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel

from booking.api.deps import ContextDep
from booking.service.access import ensure_visible
from booking.store import appointments
from booking.store.audit import trail
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
    """Every recorded change of an appointment or hold of the tenant (404 for any other id)."""
    async with ctx.uow:  # read-only: leaving without commit rolls back
        ensure_visible(ctx.actor, await appointments.get(ctx.uow.session, appointment_id))
        entries = await trail(ctx.uow.session, "appointment", appointment_id)
    return [AuditEntry.model_validate(entry, from_attributes=True) for entry in entries]
