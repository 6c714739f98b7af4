"""`/rooms`: rooms at a location, with their capacity; virtual rooms serve video visits."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import Field

from booking.api.catalog.common import Body, CatalogReader, CatalogWriter, Patch
from booking.api.catalog.paging import Page, PageDep, to_page
from booking.api.examples import ROOM_CREATE, ROOM_UPDATE, example
from booking.api.text import Name
from booking.domain.catalog import Room, RoomSpec
from booking.service import catalog
from booking.service.catalog_resources import ROOM
from booking.service.entities import browse, read
from booking.store.catalog import ROOMS
from clinic_platform.runtime import UnitOfWorkDep

router = APIRouter(prefix="/rooms", tags=["rooms"])


class RoomCreate(RoomSpec, Body):
    """A new room at a live location."""

    model_config = example(ROOM_CREATE)

    name: Name


class RoomUpdate(Patch):
    """Fields to change; the rest stay."""

    model_config = example(ROOM_UPDATE)

    location_id: UUID | None = None
    name: Name | None = None
    capacity: int | None = Field(default=None, ge=1, le=1000)
    virtual: bool | None = None


class RoomPublic(Room):
    """A room as the API shows it."""


def _public(room: Room) -> RoomPublic:
    return RoomPublic.model_validate(room.model_dump())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_room(body: RoomCreate, actor: CatalogWriter, uow: UnitOfWorkDep) -> RoomPublic:
    return _public(await catalog.create(uow, actor, ROOM, body))


@router.get("", dependencies=[CatalogReader])
async def list_rooms(
    uow: UnitOfWorkDep,
    paging: PageDep,
    location_id: UUID | None = None,
    include_retired: bool = False,
) -> Page[RoomPublic]:
    where = {"location_id": location_id} if location_id is not None else {}
    found = await browse(
        uow,
        ROOMS,
        limit=paging.limit + 1,
        after=paging.after,
        include_gone=include_retired,
        where=where,
    )
    return to_page(found, paging.limit, _public)


@router.get("/{room_id}", dependencies=[CatalogReader])
async def read_room(room_id: UUID, uow: UnitOfWorkDep) -> RoomPublic:
    return _public(await read(uow, ROOMS, room_id))


@router.patch("/{room_id}")
async def update_room(
    room_id: UUID, body: RoomUpdate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> RoomPublic:
    return _public(await catalog.update(uow, actor, ROOM, room_id, body.changes()))


@router.delete("/{room_id}", status_code=status.HTTP_204_NO_CONTENT)
async def retire_room(room_id: UUID, actor: CatalogWriter, uow: UnitOfWorkDep) -> Response:
    """Retire the room (kept for history); refused while a live appointment type defaults
    to it."""
    await catalog.retire(uow, actor, ROOM, room_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
