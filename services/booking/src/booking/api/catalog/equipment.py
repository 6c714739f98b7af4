"""`/equipment`: single pieces of equipment at a location (each books exclusively)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from booking.api.catalog.common import Body, CatalogReader, CatalogWriter, Patch
from booking.api.catalog.paging import Page, PageDep, to_page
from booking.api.examples import EQUIPMENT_CREATE, EQUIPMENT_UPDATE, example
from booking.api.text import Name
from booking.domain.catalog import Equipment, EquipmentSpec
from booking.service import catalog
from booking.service.catalog_resources import EQUIPMENT_ITEM
from booking.service.entities import browse, read
from booking.store.catalog import EQUIPMENT
from clinic_platform.runtime import UnitOfWorkDep

router = APIRouter(prefix="/equipment", tags=["equipment"])


class EquipmentCreate(EquipmentSpec, Body):
    """A new piece of equipment at a live location."""

    model_config = example(EQUIPMENT_CREATE)

    name: Name


class EquipmentUpdate(Patch):
    """Fields to change; the rest stay."""

    model_config = example(EQUIPMENT_UPDATE)

    location_id: UUID | None = None
    name: Name | None = None


class EquipmentPublic(Equipment):
    """A piece of equipment as the API shows it."""


def _public(item: Equipment) -> EquipmentPublic:
    return EquipmentPublic.model_validate(item.model_dump())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_equipment(
    body: EquipmentCreate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> EquipmentPublic:
    return _public(await catalog.create(uow, actor, EQUIPMENT_ITEM, body))


@router.get("", dependencies=[CatalogReader])
async def list_equipment(
    uow: UnitOfWorkDep,
    paging: PageDep,
    location_id: UUID | None = None,
    include_retired: bool = False,
) -> Page[EquipmentPublic]:
    where = {"location_id": location_id} if location_id is not None else {}
    found = await browse(
        uow,
        EQUIPMENT,
        limit=paging.limit + 1,
        after=paging.after,
        include_gone=include_retired,
        where=where,
    )
    return to_page(found, paging.limit, _public)


@router.get("/{equipment_id}", dependencies=[CatalogReader])
async def read_equipment(equipment_id: UUID, uow: UnitOfWorkDep) -> EquipmentPublic:
    return _public(await read(uow, EQUIPMENT, equipment_id))


@router.patch("/{equipment_id}")
async def update_equipment(
    equipment_id: UUID, body: EquipmentUpdate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> EquipmentPublic:
    return _public(await catalog.update(uow, actor, EQUIPMENT_ITEM, equipment_id, body.changes()))


@router.delete("/{equipment_id}", status_code=status.HTTP_204_NO_CONTENT)
async def retire_equipment(
    equipment_id: UUID, actor: CatalogWriter, uow: UnitOfWorkDep
) -> Response:
    """Retire the equipment (kept for history); refused while a live appointment type
    requires it."""
    await catalog.retire(uow, actor, EQUIPMENT_ITEM, equipment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
