"""Leave with its approval flow: requested → approved | rejected, and requested|approved →
cancelled. Only approved leave removes time, so approving is the step that can warn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func

from clinic_contracts import (
    EventPayload,
    LeaveApproved,
    LeaveCancelled,
    LeaveRejected,
    LeaveRequested,
    OutsideHoursCause,
)
from clinic_platform.auth import Permission
from clinic_platform.errors import Conflict, Forbidden, NotFound
from schedules.service.access import ensure_may, known_practitioner
from schedules.service.rules.context import RulesContext, ensure_can
from schedules.service.rules.guard import CONFLICTS, Marking, Reach, guarded
from schedules.service.rules.payloads import leave_event
from schedules.store import rule_records as records
from schedules.store.tables import leaves


class Decision(StrEnum):
    """What can happen to a leave request after it is filed."""

    APPROVE = "approve"
    REJECT = "reject"
    CANCEL = "cancel"


# (status now, decision) → status after; anything else is an illegal transition.
TRANSITIONS: dict[tuple[str, Decision], str] = {
    ("requested", Decision.APPROVE): "approved",
    ("requested", Decision.REJECT): "rejected",
    ("requested", Decision.CANCEL): "cancelled",
    ("approved", Decision.CANCEL): "cancelled",
}
EVENTS: dict[Decision, tuple[type[EventPayload], str]] = {
    Decision.APPROVE: (LeaveApproved, "decided_by"),
    Decision.REJECT: (LeaveRejected, "decided_by"),
    Decision.CANCEL: (LeaveCancelled, "cancelled_by"),
}


@dataclass(frozen=True, slots=True)
class LeaveRequest:
    """Leave over [start, end) (UTC instants) with an optional reason."""

    start: datetime
    end: datetime
    reason: str | None = None


async def request(ctx: RulesContext, practitioner_id: UUID, leave: LeaveRequest) -> Row[Any]:
    """File a request (it removes no time until approved)."""
    ensure_may(ctx.actor, Permission.LEAVE_REQUEST, Permission.LEAVE_OWN_REQUEST, practitioner_id)
    async with ctx.uow:
        await known_practitioner(ctx.session, practitioner_id)
        row = await records.add(
            ctx.session,
            leaves,
            ctx.tenant_id,
            practitioner_id=practitioner_id,
            start_at=leave.start,
            end_at=leave.end,
            reason=leave.reason,
            status="requested",
            requested_by=ctx.actor_id,
            updated_by=ctx.actor_id,
        )
        event = leave_event(LeaveRequested, row, requested_by=ctx.actor_id)
        ctx.uow.record(event, subject=_subject(row))
        await ctx.uow.commit()
    return row


async def decide(
    ctx: RulesContext, leave_id: UUID, decision: Decision, *, confirm: bool
) -> Row[Any]:
    """Approve, reject or cancel; 409 illegal_transition from a state that does not allow it,
    and 409 appointment_conflicts when approving leaves booked appointments inside it."""
    async with ctx.uow:
        before = await records.get(ctx.session, leaves, leave_id, lock=True)
        if before is None:
            raise NotFound(f"no leave {leave_id}", code="leave_not_found")
        _ensure_may_decide(ctx, before, decision)
        status = TRANSITIONS.get((before.status, decision))
        if status is None:
            raise Conflict(
                f"leave that is {before.status} cannot be {decision.value}d",
                code="illegal_transition",
                extra={"status": before.status, "action": decision.value},
            )

        async def apply() -> Row[Any]:
            decided: dict[str, Any] = {"decided_by": ctx.actor_id, "decided_at": func.now()}
            if decision is Decision.CANCEL:
                decided = {}
            values = {"status": status, "updated_by": ctx.actor_id, **decided}
            return await records.change(ctx.session, leaves, leave_id, **values)

        if decision is Decision.APPROVE:  # the only step that takes time away
            reach = Reach((before.practitioner_id,), None, (before.start_at, before.end_at))
            marking = Marking(CONFLICTS, OutsideHoursCause.LEAVE, leave_id)
            row = await guarded(ctx, reach, marking, confirm, apply)
        else:
            row = await apply()
        kind, who = EVENTS[decision]
        ctx.uow.record(leave_event(kind, row, **{who: ctx.actor_id}), subject=_subject(row))
        await ctx.uow.commit()
    return row


def _ensure_may_decide(ctx: RulesContext, leave: Row[Any], decision: Decision) -> None:
    if decision is not Decision.CANCEL:
        ensure_can(ctx.actor, Permission.LEAVE_APPROVE)
        return
    if ctx.actor.can(Permission.LEAVE_APPROVE):
        return  # a manager may withdraw anyone's leave
    ensure_may(
        ctx.actor, Permission.LEAVE_REQUEST, Permission.LEAVE_OWN_REQUEST, leave.practitioner_id
    )


async def read(ctx: RulesContext, leave_id: UUID) -> Row[Any]:
    """One leave request the caller may see (404 for others', so they are not revealed)."""
    async with ctx.uow:
        row = await records.get(ctx.session, leaves, leave_id)
    if row is None or not _may_read(ctx, row.practitioner_id):
        raise NotFound(f"no leave {leave_id}", code="leave_not_found")
    return row


async def browse(
    ctx: RulesContext,
    *,
    practitioner_id: UUID | None,
    status: str | None,
    between: tuple[datetime, datetime] | None,
) -> list[Row[Any]]:
    """Leave requests the caller may see: anyone's for staff, else only their own."""
    if practitioner_id is None and not _sees_everyone(ctx):
        practitioner_id = ctx.actor.practitioner_id or UUID(int=0)  # their own, if any
    if practitioner_id is not None and not _may_read(ctx, practitioner_id):
        raise Forbidden(
            "reading leave needs professional.read (or professional.own.read for your own)",
            code="missing_permission",
            extra={"missing_permissions": [Permission.PROFESSIONAL_READ.value]},
        )
    async with ctx.uow:
        if practitioner_id is not None:
            await known_practitioner(ctx.session, practitioner_id)
        return await records.leaves_of(
            ctx.session, practitioner_id=practitioner_id, status=status, between=between
        )


def _sees_everyone(ctx: RulesContext) -> bool:
    # Approvers see every request (they must, to decide); other staff need professional.read.
    return ctx.actor.can(Permission.PROFESSIONAL_READ) or ctx.actor.can(Permission.LEAVE_APPROVE)


def _may_read(ctx: RulesContext, practitioner_id: UUID) -> bool:
    own = ctx.actor.practitioner_id == practitioner_id
    return _sees_everyone(ctx) or (own and ctx.actor.can(Permission.PROFESSIONAL_OWN_READ))


def _subject(row: Row[Any]) -> str:
    return f"practitioners/{row.practitioner_id}/leave/{row.id}"
