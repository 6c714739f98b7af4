"""Forced blocks and emergency unavailability: set and lifted by admins only.

They outrank every other rule. Even the urgent case warns about the appointments it leaves
outside availability; the admin confirms to apply it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from uuid import UUID, uuid4

from sqlalchemy import Row, func

from clinic_contracts import OutsideHoursCause
from clinic_platform.auth import Permission
from clinic_platform.errors import NotFound
from schedules.service.access import ensure_may, known_practitioner
from schedules.service.rules.context import RulesContext, ensure_can
from schedules.service.rules.guard import CONFLICTS, Marking, Reach, guarded
from schedules.service.rules.payloads import block_changed
from schedules.store import rule_records as records
from schedules.store.tables import forced_blocks

WRITE = Permission.FORCED_BLOCKS_WRITE


@dataclass(frozen=True, slots=True)
class Block:
    """A forced block or emergency over [start, end) (UTC instants)."""

    kind: Literal["forced", "emergency"]
    start: datetime
    end: datetime
    reason: str | None = None


async def list_blocks(
    ctx: RulesContext, practitioner_id: UUID, *, include_lifted: bool
) -> list[Row[Any]]:
    """The practitioner's blocks (lifted ones too, if asked)."""
    ensure_may(
        ctx.actor, Permission.PROFESSIONAL_READ, Permission.PROFESSIONAL_OWN_READ, practitioner_id
    )
    async with ctx.uow:
        await known_practitioner(ctx.session, practitioner_id)
        return await records.blocks_of(ctx.session, practitioner_id, include_lifted=include_lifted)


async def create(
    ctx: RulesContext, practitioner_id: UUID, block: Block, *, confirm: bool
) -> Row[Any]:
    """Block the time; 409 appointment_conflicts when booked appointments lie inside it."""
    ensure_can(ctx.actor, WRITE)
    block_id = uuid4()
    async with ctx.uow:
        await known_practitioner(ctx.session, practitioner_id)

        async def apply() -> Row[Any]:
            return await records.add(
                ctx.session,
                forced_blocks,
                ctx.tenant_id,
                id=block_id,
                practitioner_id=practitioner_id,
                kind=block.kind,
                start_at=block.start,
                end_at=block.end,
                reason=block.reason,
                updated_by=ctx.actor_id,
            )

        reach = Reach((practitioner_id,), None, (block.start, block.end))
        marking = Marking(CONFLICTS, OutsideHoursCause.FORCED_BLOCK, block_id)
        row = await guarded(ctx, reach, marking, confirm, apply)
        ctx.uow.record(block_changed(row, removed=False), subject=_subject(row))
        await ctx.uow.commit()
    return row


async def lift(ctx: RulesContext, block_id: UUID) -> Row[Any]:
    """Lift the block (kept as history); lifting a lifted block changes nothing."""
    ensure_can(ctx.actor, WRITE)
    async with ctx.uow:
        row = await records.get(ctx.session, forced_blocks, block_id, lock=True)
        if row is None:
            raise NotFound(f"no block {block_id}", code="block_not_found")
        if row.lifted_at is not None:
            return row
        row = await records.change(
            ctx.session, forced_blocks, block_id, lifted_at=func.now(), updated_by=ctx.actor_id
        )
        ctx.uow.record(block_changed(row, removed=True), subject=_subject(row))
        await ctx.uow.commit()
    return row


def _subject(row: Row[Any]) -> str:
    return f"practitioners/{row.practitioner_id}/blocks/{row.id}"
