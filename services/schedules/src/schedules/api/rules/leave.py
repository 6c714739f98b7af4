"""Leave: `POST /practitioners/{id}/leave`, `POST /leave/{id}/approve|reject|cancel`, lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field

from clinic_contracts.edge import PlainText, SupportedInstant
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.spans import Span
from schedules.service.rules import leave
from schedules.service.rules.leave import Decision, LeaveRequest

router = APIRouter(tags=["leave"])
Status = Literal["requested", "approved", "rejected", "cancelled"]


class LeaveBody(Span):
    """Leave over [start, end), with an optional reason."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "start": "2027-12-24T00:00",
                    "end": "2027-12-28T00:00",
                    "timezone": "Europe/Berlin",
                    "reason": "Holidays",
                }
            ]
        }
    )

    reason: PlainText | None = Field(default=None, max_length=500)


class LeavePublic(BaseModel):
    """A leave request and where it stands."""

    leave_id: UUID
    practitioner_id: UUID
    start: datetime
    end: datetime
    status: str
    reason: str | None
    requested_by: UUID | None
    decided_by: UUID | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LeaveList(BaseModel):
    """Leave requests by start."""

    items: list[LeavePublic]


def _public(row: Any) -> LeavePublic:
    return LeavePublic(
        leave_id=row.id,
        practitioner_id=row.practitioner_id,
        start=row.start_at,
        end=row.end_at,
        status=row.status,
        reason=row.reason,
        requested_by=row.requested_by,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def _between(first: datetime | None, last: datetime | None) -> tuple[datetime, datetime] | None:
    if first is None and last is None:
        return None
    return first or datetime.min.replace(tzinfo=UTC), last or datetime.max.replace(tzinfo=UTC)


@router.post("/practitioners/{practitioner_id}/leave", status_code=status.HTTP_201_CREATED)
async def request_leave(
    practitioner_id: UUID, body: LeaveBody, ctx: RulesContextDep
) -> LeavePublic:
    """Request leave (a practitioner for themselves; managers for anyone). It removes no time
    until approved."""
    request = LeaveRequest(body.start, body.end, body.reason)
    return _public(await leave.request(ctx, practitioner_id, request))


@router.get("/practitioners/{practitioner_id}/leave")
async def list_practitioner_leave(
    practitioner_id: UUID, ctx: RulesContextDep, status: Status | None = None
) -> LeaveList:
    """The practitioner's leave requests, optionally of one status."""
    found = await leave.browse(ctx, practitioner_id=practitioner_id, status=status, between=None)
    return LeaveList(items=[_public(row) for row in found])


@router.get("/leave")
async def list_leave(
    ctx: RulesContextDep,
    status: Status | None = None,
    practitioner_id: UUID | None = None,
    first: Annotated[SupportedInstant | None, Query(alias="from")] = None,
    last: Annotated[SupportedInstant | None, Query(alias="to")] = None,
) -> LeaveList:
    """Leave requests of the tenant (e.g. `?status=requested`, the approval queue) overlapping
    from/to; callers without professional.read see only their own."""
    found = await leave.browse(
        ctx, practitioner_id=practitioner_id, status=status, between=_between(first, last)
    )
    return LeaveList(items=[_public(row) for row in found])


@router.get("/leave/{leave_id}")
async def read_leave(leave_id: UUID, ctx: RulesContextDep) -> LeavePublic:
    """One leave request."""
    return _public(await leave.read(ctx, leave_id))


@router.post("/leave/{leave_id}/approve")
async def approve_leave(
    leave_id: UUID, ctx: RulesContextDep, confirm: Confirm = False
) -> LeavePublic:
    """requested → approved (schedules.leave.approve). Booked appointments inside it → 409
    `appointment_conflicts` unless `confirm=true`."""
    return _public(await leave.decide(ctx, leave_id, Decision.APPROVE, confirm=confirm))


@router.post("/leave/{leave_id}/reject")
async def reject_leave(leave_id: UUID, ctx: RulesContextDep) -> LeavePublic:
    """requested → rejected (schedules.leave.approve)."""
    return _public(await leave.decide(ctx, leave_id, Decision.REJECT, confirm=False))


@router.post("/leave/{leave_id}/cancel")
async def cancel_leave(leave_id: UUID, ctx: RulesContextDep) -> LeavePublic:
    """requested or approved → cancelled, by its practitioner or a manager."""
    return _public(await leave.decide(ctx, leave_id, Decision.CANCEL, confirm=False))
