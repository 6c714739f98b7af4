"""`/appointment-types`: what can be booked, for how long, and under which policies."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Response, status
from pydantic import Field

from booking.api.catalog.common import Body, CatalogReader, CatalogWriter, Patch
from booking.api.catalog.paging import Page, PageDep, to_page
from booking.api.examples import APPOINTMENT_TYPE_CREATE, APPOINTMENT_TYPE_UPDATE, example
from booking.api.text import Name
from booking.domain.catalog import (
    DAY_MINUTES,
    AppointmentType,
    AppointmentTypeSpec,
    Minutes,
    Slug,
    UniqueIds,
)
from booking.service import catalog
from booking.service.catalog_resources import APPOINTMENT_TYPE
from booking.service.entities import browse, read
from booking.store.catalog import APPOINTMENT_TYPES
from clinic_contracts.events.catalog import ConsultationMode
from clinic_contracts.primitives import CurrencyCode, Money
from clinic_platform.runtime import UnitOfWorkDep

router = APIRouter(prefix="/appointment-types", tags=["appointment types"])


class AppointmentTypeCreate(AppointmentTypeSpec, Body):
    """A new appointment type; its slug is unique among the tenant's live types."""

    model_config = example(APPOINTMENT_TYPE_CREATE)

    name: Name


class AppointmentTypeUpdate(Patch):
    """Fields to change; lists are replaced whole."""

    model_config = example(APPOINTMENT_TYPE_UPDATE)

    NULLABLE = frozenset({"default_room_id"})
    slug: Slug | None = None
    name: Name | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=DAY_MINUTES)
    buffer_before_minutes: int | None = Field(default=None, ge=0, le=DAY_MINUTES)
    buffer_after_minutes: int | None = Field(default=None, ge=0, le=DAY_MINUTES)
    min_notice_minutes: Minutes | None = None
    max_future_days: int | None = Field(default=None, ge=0, le=3 * 366)
    reschedule_limit: int | None = Field(default=None, ge=0, le=100)
    cancellation_notice_minutes: Minutes | None = None
    consultation_mode: ConsultationMode | None = None
    price: Money | None = None
    currency: CurrencyCode | None = None
    default_room_id: UUID | None = None
    required_equipment_ids: UniqueIds | None = None
    active: bool | None = None


class AppointmentTypePublic(AppointmentType):
    """An appointment type as the API shows it."""


def _public(appointment_type: AppointmentType) -> AppointmentTypePublic:
    return AppointmentTypePublic.model_validate(appointment_type.model_dump())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_appointment_type(
    body: AppointmentTypeCreate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> AppointmentTypePublic:
    return _public(await catalog.create(uow, actor, APPOINTMENT_TYPE, body))


@router.get("", dependencies=[CatalogReader])
async def list_appointment_types(
    uow: UnitOfWorkDep,
    paging: PageDep,
    active: bool | None = None,
    slug: Annotated[Slug | None, Query(examples=["first-visit"])] = None,
    include_retired: bool = False,
) -> Page[AppointmentTypePublic]:
    where: dict[str, object] = {}
    if active is not None:
        where["active"] = active
    if slug is not None:
        where["slug"] = slug
    found = await browse(
        uow,
        APPOINTMENT_TYPES,
        limit=paging.limit + 1,
        after=paging.after,
        include_gone=include_retired,
        where=where,
    )
    return to_page(found, paging.limit, _public)


@router.get("/{appointment_type_id}", dependencies=[CatalogReader])
async def read_appointment_type(
    appointment_type_id: UUID, uow: UnitOfWorkDep
) -> AppointmentTypePublic:
    return _public(await read(uow, APPOINTMENT_TYPES, appointment_type_id))


@router.patch("/{appointment_type_id}")
async def update_appointment_type(
    appointment_type_id: UUID,
    body: AppointmentTypeUpdate,
    actor: CatalogWriter,
    uow: UnitOfWorkDep,
) -> AppointmentTypePublic:
    changes = body.changes()
    entity = await catalog.update(uow, actor, APPOINTMENT_TYPE, appointment_type_id, changes)
    return _public(entity)


@router.delete("/{appointment_type_id}", status_code=status.HTTP_204_NO_CONTENT)
async def retire_appointment_type(
    appointment_type_id: UUID, actor: CatalogWriter, uow: UnitOfWorkDep
) -> Response:
    """Retire the type for good; booked appointments keep their own times. Its slug becomes
    free for a new type."""
    await catalog.retire(uow, actor, APPOINTMENT_TYPE, appointment_type_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
