"""Catalog use cases: create, update and retire locations, practitioners, appointment types,
rooms and equipment, each validated, audited and published on `booking.catalog.v1`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.catalog import Lifecycle, refuse_retired
from booking.service.entities import commit, label, load, merge
from booking.service.integrity import problem_from
from booking.store.entities import Kind, insert_entity, mark_gone, replace_entity
from clinic_contracts import EventPayload
from clinic_platform.auth import Principal
from clinic_platform.store.unit_of_work import UnitOfWork

E = TypeVar("E", bound=Lifecycle)
S = TypeVar("S", bound=BaseModel)

Check = Callable[[AsyncSession, S, E | None], Awaitable[None]]
InUse = Callable[[AsyncSession, UUID], Awaitable[None]]


@dataclass(frozen=True)
class Resource(Generic[E, S]):
    """One catalog resource: how it is stored, validated and published."""

    kind: Kind[E]
    spec: type[S]
    path: str  # "locations": the event subject is "<path>/<id>"
    upserted: Callable[[E], EventPayload]
    retired: Callable[[UUID], EventPayload]
    check: Check[S, E]
    in_use: InUse


async def create(uow: UnitOfWork, actor: Principal, res: Resource[E, S], spec: S) -> E:
    """Validate `spec` against the tenant's catalog, store it, audit it, publish it."""
    async with uow:
        await res.check(uow.session, spec, None)
        try:
            entity = await insert_entity(uow.session, res.kind, actor.tenant_id, spec)
        except IntegrityError as exc:
            raise problem_from(exc) from None
        await _commit(uow, actor, res, entity.id, "created", None, entity)
    return entity


async def update(
    uow: UnitOfWork,
    actor: Principal,
    res: Resource[E, S],
    entity_id: UUID,
    changes: Mapping[str, object],
) -> E:
    """Apply a partial update: the merged state is validated as a whole before it is stored."""
    async with uow:
        before = await load(uow, res.kind, entity_id, lock=True)
        refuse_retired(before, label(res.kind))
        spec = merge(res.spec, before, changes)
        await res.check(uow.session, spec, before)
        try:
            after = await replace_entity(uow.session, res.kind, actor.tenant_id, entity_id, spec)
        except IntegrityError as exc:
            raise problem_from(exc) from None
        await _commit(uow, actor, res, entity_id, "updated", before, after)
    return after


async def retire(uow: UnitOfWork, actor: Principal, res: Resource[E, S], entity_id: UUID) -> None:
    """Retire for good (the row stays for history); retiring twice changes nothing."""
    async with uow:
        before = await load(uow, res.kind, entity_id, lock=True)
        if before.retired:
            return
        await res.in_use(uow.session, entity_id)
        await mark_gone(uow.session, res.kind, entity_id)
        after = await load(uow, res.kind, entity_id)
        await commit(
            uow,
            actor,
            event=res.retired(entity_id),
            subject=f"{res.path}/{entity_id}",
            entity_type=res.kind.name,
            entity_id=entity_id,
            action="retired",
            before=before.model_dump(),
            after=after.model_dump(),
        )


async def _commit(
    uow: UnitOfWork,
    actor: Principal,
    res: Resource[E, S],
    entity_id: UUID,
    action: str,
    before: E | None,
    after: E,
) -> None:
    await commit(
        uow,
        actor,
        event=res.upserted(after),
        subject=f"{res.path}/{entity_id}",
        entity_type=res.kind.name,
        entity_id=entity_id,
        action=action,
        before=before.model_dump() if before is not None else None,
        after=after.model_dump(),
    )
