"""`/practitioners`: profiles, status (draft / active / inactive) and locations served."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import Field

from booking.api.catalog.common import Body, CatalogReader, CatalogWriter, Patch
from booking.api.catalog.paging import Page, PageDep, to_page
from booking.api.examples import PRACTITIONER_CREATE, PRACTITIONER_UPDATE, example
from booking.api.text import Bio, Name, Specialty
from booking.domain.catalog import Practitioner, PractitionerSpec, UniqueIds
from booking.service import catalog
from booking.service.catalog_resources import PRACTITIONER
from booking.service.entities import browse, read
from booking.store.catalog import PRACTITIONERS
from clinic_contracts.events.catalog import PractitionerStatus
from clinic_platform.runtime import UnitOfWorkDep

router = APIRouter(prefix="/practitioners", tags=["practitioners"])


class PractitionerCreate(PractitionerSpec, Body):
    """A new practitioner profile (draft until published as active)."""

    model_config = example(PRACTITIONER_CREATE)

    display_name: Name
    bio: Bio | None = None
    specialties: list[Specialty] = Field(default_factory=list, max_length=50)


class PractitionerUpdate(Patch):
    """Fields to change; lists are replaced whole."""

    model_config = example(PRACTITIONER_UPDATE)

    NULLABLE = frozenset({"bio"})
    display_name: Name | None = None
    bio: Bio | None = None
    status: PractitionerStatus | None = None
    location_ids: UniqueIds | None = None
    specialties: list[Specialty] | None = Field(default=None, max_length=50)


class PractitionerPublic(Practitioner):
    """A practitioner as the API shows it."""


def _public(practitioner: Practitioner) -> PractitionerPublic:
    return PractitionerPublic.model_validate(practitioner.model_dump())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_practitioner(
    body: PractitionerCreate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> PractitionerPublic:
    return _public(await catalog.create(uow, actor, PRACTITIONER, body))


@router.get("", dependencies=[CatalogReader])
async def list_practitioners(
    uow: UnitOfWorkDep,
    paging: PageDep,
    location_id: UUID | None = None,
    status: PractitionerStatus | None = None,
    include_retired: bool = False,
) -> Page[PractitionerPublic]:
    where: dict[str, object] = {}
    if location_id is not None:
        where["location_ids"] = location_id
    if status is not None:
        where["status"] = status.value
    found = await browse(
        uow,
        PRACTITIONERS,
        limit=paging.limit + 1,
        after=paging.after,
        include_gone=include_retired,
        where=where,
    )
    return to_page(found, paging.limit, _public)


@router.get("/{practitioner_id}", dependencies=[CatalogReader])
async def read_practitioner(practitioner_id: UUID, uow: UnitOfWorkDep) -> PractitionerPublic:
    return _public(await read(uow, PRACTITIONERS, practitioner_id))


@router.patch("/{practitioner_id}")
async def update_practitioner(
    practitioner_id: UUID, body: PractitionerUpdate, actor: CatalogWriter, uow: UnitOfWorkDep
) -> PractitionerPublic:
    changes = body.changes()
    return _public(await catalog.update(uow, actor, PRACTITIONER, practitioner_id, changes))


@router.delete("/{practitioner_id}", status_code=status.HTTP_204_NO_CONTENT)
async def retire_practitioner(
    practitioner_id: UUID, actor: CatalogWriter, uow: UnitOfWorkDep
) -> Response:
    """Retire the practitioner for good (kept for history)."""
    await catalog.retire(uow, actor, PRACTITIONER, practitioner_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
