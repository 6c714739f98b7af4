"""Forced blocks and emergency unavailability (admin only): `POST /practitioners/{id}/blocks`,
`DELETE /blocks/{id}` (lift), and a list. With `rrule` a block recurs: its first time repeats at
the same local times of `timezone` on every date the rule chooses."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, Field

from clinic_contracts.edge import PlainText
from clinic_platform.errors import RuleViolation
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.recurring import FIRST_EXAMPLE, RULE_EXAMPLE, Recurring
from schedules.api.rules.spans import Span
from schedules.domain.blocks import MAX_LENGTH
from schedules.service.rules import blocks
from schedules.service.rules.blocks import Block, Repeat

router = APIRouter(tags=["forced blocks"])


class BlockBody(Span, Recurring):
    """A forced block (default) or an emergency over [start, end); with `rrule` (and
    `timezone`) that time recurs on the dates the rule chooses from its local date."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "emergency",
                    "start": "2027-01-15T06:00:00Z",
                    "end": "2027-01-15T08:00:00Z",
                    "reason": "Sick",
                },
                {
                    "start": f"{FIRST_EXAMPLE}T12:00",
                    "end": f"{FIRST_EXAMPLE}T13:00",
                    "timezone": "Asia/Taipei",
                    "rrule": RULE_EXAMPLE,
                    "exdates": ["2027-04-05"],
                    "reason": "Lunch meeting",
                },
            ]
        }
    )

    kind: Literal["forced", "emergency"] = "forced"
    reason: PlainText | None = Field(default=None, max_length=500)

    def block(self) -> Block:
        """The validated block; 422 naming the field that makes its recurrence invalid."""
        if self.rrule is None:
            self.skipped_and_added(dt.date.min)  # refuses dates without a rule
            return Block(self.kind, self.start, self.end, self.reason)
        if self.timezone is None:
            raise RuleViolation(
                "a recurring block repeats its local times in a zone: give timezone",
                code="timezone_required",
                field="timezone",
            )
        zone = ZoneInfo(self.timezone)
        begin, end = self.start.astimezone(zone), self.end.astimezone(zone)
        length = end.replace(tzinfo=None) - begin.replace(tzinfo=None)
        if not dt.timedelta(0) < length <= MAX_LENGTH:
            raise RuleViolation(
                f"each time of a recurring block lasts at most {MAX_LENGTH.days} days of local "
                "wall-clock time, ending after it starts",
                code="block_too_long",
                field="end",
            )
        exdates, rdates = self.skipped_and_added(begin.date())
        repeat = Repeat(zone, self.rrule, exdates, rdates)
        return Block(self.kind, self.start, self.end, self.reason, repeat)


class BlockPublic(BaseModel):
    """A block; `lifted_at` is set once it was lifted."""

    block_id: UUID
    practitioner_id: UUID
    kind: str
    start: datetime = Field(description="Its (first) time's start.")
    end: datetime
    reason: str | None
    timezone: str | None = Field(description="Zone whose local times a recurring block repeats.")
    rrule: str | None
    exdates: list[dt.date]
    rdates: list[dt.date]
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
        timezone=row.timezone,
        rrule=row.rrule,
        exdates=row.exdates,
        rdates=row.rdates,
        lifted_at=row.lifted_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


@router.post("/practitioners/{practitioner_id}/blocks", status_code=status.HTTP_201_CREATED)
async def create_block(
    practitioner_id: UUID, body: BlockBody, ctx: RulesContextDep, confirm: Confirm = False
) -> BlockPublic:
    """Block the time (schedules.forced_blocks.write), once or recurring. Booked appointments
    inside it → 409 `appointment_conflicts` unless `confirm=true`, even in an emergency."""
    return _public(await blocks.create(ctx, practitioner_id, body.block(), confirm=confirm))


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
