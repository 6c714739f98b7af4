"""Availability queries: slots of a practitioner's day, the range search, booking's check, and
the calendar views. All read-only: each runs in a tenant transaction that rolls back."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from clinic_contracts.edge import PlainText, SupportedDate, SupportedInstant, SupportedMonth
from clinic_contracts.http.availability import CheckAnswer
from clinic_platform.auth import CurrentPrincipal, Permission
from clinic_platform.auth import require as needs
from clinic_platform.errors import RuleViolation
from clinic_platform.runtime import UnitOfWorkDep
from schedules.api.availability_schemas import (
    CalendarDayPublic,
    DayCalendar,
    DaySlots,
    MonthCalendar,
    SlotPage,
    SlotPublic,
)
from schedules.domain.check import CheckQuery
from schedules.domain.paging import InvalidCursor, decode_cursor, encode_cursor
from schedules.service import calendar, queries
from schedules.service.access import ensure_may

router = APIRouter(tags=["availability"])
SLOTS = [needs(Permission.SLOTS_READ)]
TypeId = Annotated[UUID, Query(description="The appointment type (duration, buffers, notice).")]
Step = Annotated[
    int | None,
    Query(ge=5, le=720, description="Minutes between candidate starts; default the duration."),
]


def _step(minutes: int | None) -> timedelta | None:
    return None if minutes is None else timedelta(minutes=minutes)


@router.get("/practitioners/{practitioner_id}/availability/slots", dependencies=SLOTS)
async def practitioner_slots(
    practitioner_id: UUID,
    uow: UnitOfWorkDep,
    day: Annotated[SupportedDate, Query(alias="date", description="A local date (YYYY-MM-DD).")],
    appointment_type_id: TypeId,
    location_id: UUID | None = None,
    step_minutes: Step = None,
) -> DaySlots:
    """Bookable slots of the local date at each of the practitioner's locations."""
    async with uow:
        found = await queries.day_slots(
            uow.session,
            practitioner_id,
            day,
            appointment_type_id,
            now=datetime.now(UTC),
            location_id=location_id,
            step=_step(step_minutes),
        )
    return DaySlots(
        practitioner_id=practitioner_id,
        date=day,
        appointment_type_id=appointment_type_id,
        slots=[SlotPublic.of(placed) for placed in found],
    )


@router.get("/availability", dependencies=SLOTS)
async def search_availability(
    uow: UnitOfWorkDep,
    first: Annotated[SupportedDate, Query(alias="from", description="First local date.")],
    last: Annotated[
        SupportedDate, Query(alias="to", description="Last local date (31 days at most).")
    ],
    appointment_type_id: TypeId,
    location_id: UUID | None = None,
    practitioner_id: Annotated[list[UUID] | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[PlainText | None, Query(max_length=300)] = None,
    step_minutes: Step = None,
) -> SlotPage:
    """Slots of many practitioners by (start, practitioner, location), a page at a time."""
    try:
        after = decode_cursor(cursor) if cursor else None
    except InvalidCursor as exc:
        raise RuleViolation(str(exc), code="invalid_cursor", field="cursor") from None
    search = queries.RangeSearch(
        first,
        last,
        appointment_type_id,
        limit,
        location_id=location_id,
        practitioner_ids=tuple(practitioner_id or ()),
        after=after,
        step=_step(step_minutes),
    )
    async with uow:
        page, more = await queries.search_slots(uow.session, search, now=datetime.now(UTC))
    return SlotPage(
        items=[SlotPublic.of(placed) for placed in page],
        next_cursor=encode_cursor(page[-1].key) if more else None,
    )


@router.get("/availability/check", dependencies=SLOTS)
async def check_availability(
    uow: UnitOfWorkDep,
    practitioner_id: UUID,
    location_id: UUID,
    start: SupportedInstant,
    end: SupportedInstant,
    include_occupancy: bool = False,
    appointment_type_id: UUID | None = None,
) -> CheckAnswer:
    """Is `[start, end)` inside the practitioner's availability there? Rules only, unless
    `include_occupancy` also counts bookings, live holds and external busy time."""
    if end <= start:
        raise RuleViolation("end must be after start", code="end_before_start", field="end")
    query = CheckQuery(
        start,
        end,
        appointment_type_id=appointment_type_id,
        include_occupancy=include_occupancy,
        now=datetime.now(UTC),
    )
    async with uow:
        verdict = await queries.check(uow.session, practitioner_id, location_id, query)
    return CheckAnswer(bookable=verdict.bookable, rule=verdict.rule, reasons=list(verdict.reasons))


@router.get("/practitioners/{practitioner_id}/availability/calendar")
async def availability_calendar(
    practitioner_id: UUID,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    month: Annotated[SupportedMonth | None, Query()] = None,
    day: Annotated[SupportedDate | None, Query(alias="date", examples=["2026-11-02"])] = None,
) -> MonthCalendar | DayCalendar:
    """`?month=YYYY-MM`: appointments per local date; `?date=YYYY-MM-DD`: the whole day."""
    ensure_may(
        actor, Permission.PROFESSIONAL_READ, Permission.PROFESSIONAL_OWN_READ, practitioner_id
    )
    if (month is None) == (day is None):
        raise RuleViolation(
            "give exactly one of month and date", code="month_or_date", field="month"
        )
    async with uow:
        if month is not None:
            first = date.fromisoformat(f"{month}-01")
            days = await calendar.month_view(uow.session, practitioner_id, first)
            return MonthCalendar(
                practitioner_id=practitioner_id,
                month=month,
                days=[CalendarDayPublic.of(d) for d in days],
            )
        assert day is not None
        view = await calendar.day_view(uow.session, practitioner_id, day)
    return DayCalendar.of(practitioner_id, day, view)
