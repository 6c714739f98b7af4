"""The shared steps of every catalog and patient use case (one unit of work per call)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar
from uuid import UUID

from pydantic import BaseModel, ValidationError

from booking.store.audit import append_audit
from booking.store.entities import After, Kind, get, page
from clinic_contracts import EventPayload
from clinic_platform.auth import Principal
from clinic_platform.errors import NotFound, RuleViolation
from clinic_platform.store.unit_of_work import UnitOfWork

E = TypeVar("E", bound=BaseModel)
S = TypeVar("S", bound=BaseModel)


def label(kind: Kind[E]) -> str:
    """How problems name the kind: "appointment type"."""
    return kind.name.replace("_", " ")


async def read(uow: UnitOfWork, kind: Kind[E], entity_id: UUID) -> E:
    """One entity of the caller's tenant, or 404."""
    async with uow:
        return await load(uow, kind, entity_id)


async def browse(
    uow: UnitOfWork,
    kind: Kind[E],
    *,
    limit: int,
    after: After | None,
    include_gone: bool = False,
    where: Mapping[str, object] | None = None,
) -> list[E]:
    """A page of the caller's tenant's entities, in creation order."""
    async with uow:
        return await page(
            uow.session, kind, limit=limit, after=after, include_gone=include_gone, where=where
        )


async def load(uow: UnitOfWork, kind: Kind[E], entity_id: UUID, *, lock: bool = False) -> E:
    """The entity inside an open unit of work, or 404 (other tenants' rows are invisible)."""
    entity = await get(uow.session, kind, entity_id, lock=lock)
    if entity is None:
        raise NotFound(f"No {label(kind)} {entity_id}.")
    return entity


def merge(spec: type[S], current: BaseModel, changes: Mapping[str, object]) -> S:
    """The state after applying a partial update, validated as a whole."""
    state = current.model_dump(include=set(spec.model_fields)) | dict(changes)
    try:
        return spec.model_validate(state)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        raise RuleViolation(error["msg"], code=error["type"], field=field) from None


async def commit(
    uow: UnitOfWork,
    actor: Principal,
    *,
    event: EventPayload,
    subject: str,
    entity_type: str,
    entity_id: UUID,
    action: str,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
) -> None:
    """Record the event, append the audit row, and commit the change with both."""
    uow.record(event, subject=subject)
    await append_audit(
        uow.session,
        actor,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        before=before,
        after=after,
    )
    await uow.commit()
