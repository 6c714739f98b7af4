"""`/practitioners/{id}/availability/exceptions`: blocked or extra-available time, all day or
timed, on one date or recurring (RRULE), optionally for one appointment type or location."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from datetime import datetime, time, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from clinic_contracts.edge import PlainText, SupportedDate
from clinic_platform.errors import RuleViolation
from schedules.api.rules.common import Confirm, RulesContextDep
from schedules.api.rules.recurring import (
    ADDED,
    FIRST_EXAMPLE,
    RRULE,
    RULE_EXAMPLE,
    SKIPPED,
    Recurring,
)
from schedules.api.rules.schemas import EndTime, StartTime, Strict, seconds
from schedules.domain.recurrence import MAX_DATES
from schedules.service.rules import exceptions
from schedules.service.rules.exceptions import ExceptionSpec, Listed

router = APIRouter(
    prefix="/practitioners/{practitioner_id}/availability/exceptions", tags=["exceptions"]
)
MAX_RANGE = timedelta(days=366)


class ExceptionBody(Recurring):
    """An exception: `date`, or `rrule` from `dtstart` (less `exdates`, plus `rdates`); no
    times means all day, else its times apply on each date."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "blocked",
                    "rrule": RULE_EXAMPLE,
                    "dtstart": FIRST_EXAMPLE,
                    "exdates": ["2027-04-05"],
                    "rdates": ["2027-04-09"],
                    "start_time": "14:00",
                    "end_time": "16:00",
                    "reason": "Team meeting",
                },
                {
                    "kind": "available",
                    "date": "2027-01-09",
                    "start_time": "09:00",
                    "end_time": "12:00",
                    "reason": "Saturday clinic",
                },
            ]
        }
    )

    kind: Literal["blocked", "available"] = "blocked"
    date: SupportedDate | None = None
    dtstart: SupportedDate | None = Field(
        default=None, description="First local date of the RRULE.", examples=[FIRST_EXAMPLE]
    )
    start_time: StartTime | None = None
    end_time: EndTime | None = None
    location_id: UUID | None = Field(default=None, description="null: every location.")
    appointment_type_id: UUID | None = Field(default=None, description="Only this type, if set.")
    max_parallel_sessions: int = Field(default=1, ge=1, le=100)
    reason: PlainText | None = Field(default=None, max_length=500)

    @field_validator("end_time")
    @classmethod
    def _after_start(cls, end: time | None, info: ValidationInfo) -> time | None:
        start = info.data.get("start_time")
        if end is not None and start is not None and seconds(end, end=True) <= seconds(start):
            raise PydanticCustomError("end_not_after_start", "end_time must be after start_time")
        return end

    def spec(self) -> ExceptionSpec:
        """The validated rule; 422 naming the field that makes it incomplete or invalid."""
        if (self.date is None) == (self.rrule is None):
            field = "rrule" if self.date is not None else "date"
            raise RuleViolation(
                "give either a date or an rrule (with dtstart)", code="date_or_rrule", field=field
            )
        if (self.rrule is None) != (self.dtstart is None):
            raise RuleViolation(
                "dtstart goes with rrule, and only with it",
                code="dtstart_with_rrule",
                field="dtstart",
            )
        if (self.start_time is None) != (self.end_time is None):
            field = "end_time" if self.end_time is None else "start_time"
            raise RuleViolation(
                "give start_time and end_time, or neither for all day",
                code="times_pair",
                field=field,
            )
        first = self.dtstart or self.date
        assert first is not None  # one of them, as checked above
        exdates, rdates = self.skipped_and_added(first)
        fields = self.model_dump(exclude={"date", "exdates", "rdates"})
        return ExceptionSpec(on_date=self.date, exdates=exdates, rdates=rdates, **fields)


class ExceptionPatch(Strict):
    """Fields to change; the rest stay (null clears: no times = all day, no location = all)."""

    kind: Literal["blocked", "available"] | None = None
    date: SupportedDate | None = None
    dtstart: SupportedDate | None = None
    rrule: str | None = Field(default=None, max_length=500, description=RRULE)
    exdates: list[SupportedDate] | None = Field(
        default=None, max_length=MAX_DATES, description=SKIPPED
    )
    rdates: list[SupportedDate] | None = Field(
        default=None, max_length=MAX_DATES, description=ADDED
    )
    start_time: StartTime | None = None
    end_time: EndTime | None = None
    location_id: UUID | None = None
    appointment_type_id: UUID | None = None
    max_parallel_sessions: int | None = Field(default=None, ge=1, le=100)
    reason: PlainText | None = Field(default=None, max_length=500)

    def revise(self, current: ExceptionSpec) -> ExceptionSpec:
        """The current spec with these changes, validated as a whole."""
        state: dict[str, Any] = asdict(current)
        state["date"] = state.pop("on_date")
        changes = self.model_dump(exclude_unset=True)
        one_off = "rrule" in changes and changes["rrule"] is None
        for name in ("exdates", "rdates"):
            # null clears; a change to one date drops the dates it no longer recurs on
            if changes.get(name) is None and (name in changes or one_off):
                changes[name] = []
        try:
            merged = ExceptionBody.model_validate(state | changes)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
            ) from None
        return merged.spec()


class ExceptionPublic(BaseModel):
    """A stored exception; `occurs_on` lists its dates within the range a list asked about."""

    exception_id: UUID
    practitioner_id: UUID
    kind: str
    all_day: bool
    date: dt.date | None
    rrule: str | None
    dtstart: dt.date | None
    exdates: list[dt.date]
    rdates: list[dt.date]
    start_time: StartTime | None
    end_time: EndTime | None
    location_id: UUID | None
    appointment_type_id: UUID | None
    max_parallel_sessions: int
    reason: str | None
    created_at: datetime
    updated_at: datetime
    occurs_on: list[dt.date] | None = None


class ExceptionList(BaseModel):
    """Exceptions occurring within the asked range."""

    items: list[ExceptionPublic]


def _public(row: Any, occurs_on: tuple[dt.date, ...] | None = None) -> ExceptionPublic:
    return ExceptionPublic(
        exception_id=row.id,
        practitioner_id=row.practitioner_id,
        kind=row.kind,
        all_day=row.start_time is None,
        date=row.on_date,
        rrule=row.rrule,
        dtstart=row.dtstart,
        exdates=row.exdates,
        rdates=row.rdates,
        start_time=row.start_time,
        end_time=row.end_time,
        location_id=row.location_id,
        appointment_type_id=row.appointment_type_id,
        max_parallel_sessions=row.max_parallel_sessions,
        reason=row.reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
        occurs_on=list(occurs_on) if occurs_on is not None else None,
    )


@router.get("")
async def list_exceptions(
    practitioner_id: UUID,
    ctx: RulesContextDep,
    first: Annotated[SupportedDate, Query(alias="from")],
    last: Annotated[SupportedDate, Query(alias="to")],
) -> ExceptionList:
    """Exceptions occurring between `from` and `to` (inclusive, at most 366 days)."""
    if not first <= last < first + MAX_RANGE:
        raise RuleViolation(
            "'to' must not be before 'from' nor 366 days or more after it",
            code="invalid_range",
            field="to",
        )
    found: list[Listed] = await exceptions.list_exceptions(ctx, practitioner_id, first, last)
    return ExceptionList(items=[_public(item.row, item.occurs_on) for item in found])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_exception(
    practitioner_id: UUID, body: ExceptionBody, ctx: RulesContextDep, confirm: Confirm = False
) -> ExceptionPublic:
    """Add an exception (overlapping ones are allowed). Booked appointments it leaves outside
    availability → 409 `appointment_conflicts` unless `confirm=true`."""
    row = await exceptions.create(ctx, practitioner_id, body.spec(), confirm=confirm)
    return _public(row)


@router.put("/{exception_id}")
async def update_exception(
    practitioner_id: UUID,
    exception_id: UUID,
    body: ExceptionPatch,
    ctx: RulesContextDep,
    confirm: Confirm = False,
) -> ExceptionPublic:
    """Change the fields given; the same 409 warning as creating."""
    row = await exceptions.update(ctx, practitioner_id, exception_id, body.revise, confirm=confirm)
    return _public(row)


@router.delete("/{exception_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_exception(
    practitioner_id: UUID, exception_id: UUID, ctx: RulesContextDep, confirm: Confirm = False
) -> Response:
    """Delete it; removing an available exception can warn like creating one."""
    await exceptions.delete(ctx, practitioner_id, exception_id, confirm=confirm)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
