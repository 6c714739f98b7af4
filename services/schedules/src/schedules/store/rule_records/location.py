"""A location's clinic-hours document and its holidays."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Row, and_, delete, func, or_, select
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from schedules.store.rule_records.rows import one, rows
from schedules.store.tables import clinic_hours, holidays


async def clinic_hours_of(session: AsyncSession, location_id: UUID) -> Row[Any] | None:
    """The location's clinic-hours document, or None when it has none (it is not limited)."""
    query = select(clinic_hours).where(clinic_hours.c.location_id == location_id)
    return (await session.execute(query)).first()


async def save_clinic_hours(
    session: AsyncSession,
    tenant_id: UUID,
    location_id: UUID,
    document: Mapping[str, Any],
    updated_by: UUID,
) -> Row[Any]:
    """Replace the location's clinic-hours document (weekly, date_overrides, closed_dates)."""
    values = {**document, "updated_by": updated_by, "updated_at": func.now()}
    query = (
        upsert(clinic_hours)
        .values(tenant_id=tenant_id, location_id=location_id, **values)
        .on_conflict_do_update(index_elements=["tenant_id", "location_id"], set_=values)
        .returning(clinic_hours)
    )
    return await one(session, query)


def _holiday_of(location_id: UUID, on: date | None = None) -> list[Any]:
    day = [holidays.c.on_date == on] if on is not None else []
    return [holidays.c.location_id == location_id, *day]


async def holidays_of(
    session: AsyncSession, location_id: UUID, first: date | None, last: date | None
) -> list[Row[Any]]:
    """The location's holidays between two dates (either open), by date: one-off ones dated
    there, and recurring ones begun by `last` (the caller expands them)."""
    h = holidays.c
    bounds = [*([h.on_date >= first] if first else []), *([h.on_date <= last] if last else [])]
    begun = [h.on_date <= last] if last else []
    within = or_(and_(h.rrule.is_(None), *bounds), and_(h.rrule.is_not(None), *begun))
    return await rows(session, holidays, *_holiday_of(location_id), within, order=[h.on_date])


async def holiday(session: AsyncSession, location_id: UUID, on: date) -> Row[Any] | None:
    """The location's holiday on a date, or None."""
    return (await session.execute(select(holidays).where(*_holiday_of(location_id, on)))).first()


async def save_holiday(
    session: AsyncSession,
    tenant_id: UUID,
    location_id: UUID,
    on: date,
    spec: Mapping[str, Any],
    by: UUID,
) -> Row[Any]:
    """Set (or rename, or re-rule) the location's holiday on (or from) a date; `spec` holds
    name, rrule, exdates and rdates."""
    dates = {name: list(spec[name]) for name in ("exdates", "rdates")}
    values = {**spec, **dates, "updated_by": by, "updated_at": func.now()}
    query = (
        upsert(holidays)
        .values(tenant_id=tenant_id, location_id=location_id, on_date=on, **values)
        .on_conflict_do_update(index_elements=["tenant_id", "location_id", "on_date"], set_=values)
        .returning(holidays)
    )
    return await one(session, query)


async def delete_holiday(session: AsyncSession, location_id: UUID, on: date) -> None:
    """Take back the location's holiday on a date."""
    await session.execute(delete(holidays).where(*_holiday_of(location_id, on)))
