"""Recurring rules as the use cases store them: one RRULE value, checked and made canonical
(dates only, UNTIL as a local date) in the zones the entry's times are read in."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_platform.errors import RuleViolation
from schedules.domain.recurrence import RecurrenceError, canonical_rule
from schedules.store.rules import location_zones
from schedules.store.tables import practitioners


def canonical(rule: str, dtstart: date, zones: Collection[ZoneInfo]) -> str:
    """The rule as stored; 422 naming `rrule` when the API does not take it."""
    try:
        return canonical_rule(rule, dtstart, zones)
    except RecurrenceError as exc:
        raise RuleViolation(exc.detail, code=exc.code, field="rrule") from None


async def practitioner_zones(session: AsyncSession, practitioner_id: UUID) -> list[ZoneInfo]:
    """The zones of the locations the catalog assigns the practitioner (an entry for all of
    them reads its local times in each)."""
    query = select(practitioners.c.location_ids).where(practitioners.c.id == practitioner_id)
    assigned = (await session.execute(query)).scalar_one_or_none() or []
    return list((await location_zones(session, set(assigned))).values())
