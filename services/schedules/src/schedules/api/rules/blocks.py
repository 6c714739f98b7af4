"""Forced blocks and emergency unavailability (admin only): `POST /practitioners/{id}/blocks`,
`DELETE /blocks/{id}` (lift), and a list."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.spans import Span
from schedules.service.rules import blocks
from schedules.service.rules.blocks import Block

router = APIRouter(tags=["forced blocks"])


class BlockBody(Span):
    """A forced block (default) or an emergency over [start, end)."""

    kind: Literal["forced", "emergency"] = "forced"
    reason: str | None = Field(default=None, max_length=500)


class BlockPublic(BaseModel):
    """A block; `lifted_at` is set once it was lifted."""

    block_id: UUID
    practitioner_id: UUID
    kind: str
    start: datetime
    end: datetime
    reason: str | None
    lifted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class BlockList(BaseModel):
    """Blocks by start."""

    items: list[BlockPublic]


def _public(row: Any) -> BlockPublic:
    return BlockPublic(
        block_id=row.id,
        practitioner_id=row.practitioner_id,
        kind=row.kind,
        start=row.start_at,
        end=row.end_at,
        reason=row.reason,
        lifted_at=row.lifted_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post("/practitioners/{practitioner_id}/blocks", status_code=status.HTTP_201_CREATED)
async def create_block(
    practitioner_id: UUID, body: BlockBody, ctx: RulesContextDep, confirm: Confirm = False
) -> BlockPublic:
    """Block the time (schedules.forced_blocks.write). Booked appointments inside it → 409
    `appointment_conflicts` unless `confirm=true`, even in an emergency."""
    block = Block(body.kind, body.start, body.end, body.reason)
    return _public(await blocks.create(ctx, practitioner_id, block, confirm=confirm))


@router.get("/practitioners/{practitioner_id}/blocks")
async def list_blocks(
    practitioner_id: UUID, ctx: RulesContextDep, include_lifted: bool = False
) -> BlockList:
    """The practitioner's blocks by start."""
    found = await blocks.list_blocks(ctx, practitioner_id, include_lifted=include_lifted)
    return BlockList(items=[_public(row) for row in found])


@router.delete("/blocks/{block_id}", status_code=status.HTTP_204_NO_CONTENT)
async def lift_block(block_id: UUID, ctx: RulesContextDep) -> Response:
    """Lift the block (kept as history); lifting it again changes nothing."""
    await blocks.lift(ctx, block_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
