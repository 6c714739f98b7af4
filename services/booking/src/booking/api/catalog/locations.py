"""`/locations`: clinic sites and the IANA time zone their rule times are in."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status

from booking.api.catalog.common import Body, CatalogReader, CatalogWriter, Patch
from booking.api.catalog.paging import Page, PageDep, to_page
from booking.api.examples import LOCATION_CREATE, LOCATION_UPDATE, example
from booking.api.text import Address, Name
from booking.domain.catalog import Location, LocationSpec
from booking.service import catalog
from booking.service.catalog_resources import LOCATION
from booking.service.entities import browse, read
from booking.store.catalog import LOCATIONS
from clinic_contracts.primitives import IanaTimezone
from clinic_platform.runtime import UnitOfWorkDep

router = APIRouter(prefix="/locations", tags=["locations"])


class LocationCreate(LocationSpec, Body):
    """A new location."""

    model_config = example(LOCATION_CREATE)

    name: Name
    address: Address = ""


class LocationUpdate(Patch):
    """Fields to change; the rest stay."""

    model_config = example(LOCATION_UPDATE)

    name: Name | None = None
    address: Address | None = None
    timezone: IanaTimezone | None = None
    active: bool | None = None


class LocationPublic(Location):
    """A location as the API shows it."""


def _public(location: Location) -> LocationPublic:
    return LocationPublic.model_validate(location.model_dump())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_location(
    body: LocationCreate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> LocationPublic:
    return _public(await catalog.create(uow, actor, LOCATION, body))


@router.get("", dependencies=[CatalogReader])
async def list_locations(
    uow: UnitOfWorkDep, paging: PageDep, include_retired: bool = False
) -> Page[LocationPublic]:
    found = await browse(
        uow, LOCATIONS, limit=paging.limit + 1, after=paging.after, include_gone=include_retired
    )
    return to_page(found, paging.limit, _public)


@router.get("/{location_id}", dependencies=[CatalogReader])
async def read_location(location_id: UUID, uow: UnitOfWorkDep) -> LocationPublic:
    return _public(await read(uow, LOCATIONS, location_id))


@router.patch("/{location_id}")
async def update_location(
    location_id: UUID, body: LocationUpdate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> LocationPublic:
    return _public(await catalog.update(uow, actor, LOCATION, location_id, body.changes()))


@router.delete("/{location_id}", status_code=status.HTTP_204_NO_CONTENT)
async def retire_location(location_id: UUID, actor: CatalogWriter, uow: UnitOfWorkDep) -> Response:
    """Retire the location (kept for history); refused while rooms, equipment or
    practitioners still use it."""
    await catalog.retire(uow, actor, LOCATION, location_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
