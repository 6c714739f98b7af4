"""Forced blocks and emergency unavailability: set and lifted by admins only.

They outrank every other rule. Even the urgent case warns about the appointments it leaves
outside availability; the admin confirms to apply it. A recurring block repeats its first time
at the same local times of its zone on every date its rule chooses; lifting it lifts them all.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from sqlalchemy import Row, func

from clinic_contracts import OutsideHoursCause
from clinic_contracts.edge import LATEST_INSTANT
from clinic_platform.auth import Permission
from clinic_platform.errors import NotFound
from schedules.service.access import ensure_may, known_practitioner
from schedules.service.rules.context import RulesContext, ensure_can
from schedules.service.rules.guard import CONFLICTS, Marking, Reach, guarded
from schedules.service.rules.payloads import block_changed
from schedules.service.rules.recurrence import canonical
from schedules.store import rule_records as records
from schedules.store.tables import forced_blocks

WRITE = Permission.FORCED_BLOCKS_WRITE


@dataclass(frozen=True, slots=True)
class Repeat:
    """How a block recurs: its rule from the first time's local date in `zone`, skipped and
    added dates."""

    zone: ZoneInfo
    rrule: str
    exdates: tuple[date, ...] = ()
    rdates: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """A forced block or emergency over [start, end) (UTC instants), recurring if `repeat`."""

    kind: Literal["forced", "emergency"]
    start: datetime
    end: datetime
    reason: str | None = None
    repeat: Repeat | None = None

    def columns(self) -> dict[str, object]:
        """The forced_blocks columns it sets."""
        repeat = self.repeat
        found: dict[str, object] = {"kind": self.kind, "start_at": self.start, "end_at": self.end}
        found["reason"] = self.reason
        if repeat is not None:
            found |= {"rrule": repeat.rrule, "timezone": repeat.zone.key}
            found |= {"exdates": list(repeat.exdates), "rdates": list(repeat.rdates)}
        return found


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
        repeat, until = block.repeat, block.end
        if repeat is not None:
            first = block.start.astimezone(repeat.zone).date()
            rule = canonical(repeat.rrule, first, [repeat.zone])
            block, until = replace(block, repeat=replace(repeat, rrule=rule)), LATEST_INSTANT

        async def apply() -> Row[Any]:
            return await records.add(
                ctx.session,
                forced_blocks,
                ctx.tenant_id,
                id=block_id,
                practitioner_id=practitioner_id,
                updated_by=ctx.actor_id,
                **block.columns(),
            )

        reach = Reach((practitioner_id,), None, (block.start, until))
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
