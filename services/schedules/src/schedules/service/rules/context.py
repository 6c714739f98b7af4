"""What every rules use case is given: the unit of work, the actor and one fixed `now`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from uuid import NAMESPACE_URL, UUID, uuid5
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts.http.availability import LOCATION_NOT_FOUND
from clinic_platform.auth import Permission, Principal
from clinic_platform.errors import Forbidden, NotFound, RuleViolation
from clinic_platform.store.unit_of_work import UnitOfWork
from schedules.store.rules import location_zones, utc_reach


@dataclass
class RulesContext:
    """One request's view; `now` is fixed once so every check sees the same instant."""

    uow: UnitOfWork
    actor: Principal
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def session(self) -> AsyncSession:
        """The open unit of work's session."""
        return self.uow.session

    @property
    def tenant_id(self) -> UUID:
        """The caller's tenant."""
        return self.actor.tenant_id

    @property
    def actor_id(self) -> UUID:
        """The caller as the UUID the rule tables and events record (`updated_by`, `decided_by`)."""
        return user_id(self.actor)


def user_id(actor: Principal) -> UUID:
    """The token's subject when it is a UUID, else a stable UUID derived from tenant and subject."""
    try:
        return UUID(actor.subject)
    except ValueError:
        # Identity providers may use non-UUID subjects; the same subject always maps alike.
        return uuid5(NAMESPACE_URL, f"urn:clinic:{actor.tenant_id}:subject:{actor.subject}")


def ensure_can(actor: Principal, permission: Permission) -> None:
    """403 unless the actor holds `permission` (rules with no "own" variant)."""
    if not actor.can(permission):
        raise Forbidden(
            f"this needs {permission.value}",
            code="missing_permission",
            extra={"missing_permissions": [permission.value]},
        )


async def known_location(
    session: AsyncSession, location_id: UUID, *, field_name: str | None = None
) -> ZoneInfo:
    """The zone of a location the catalog announced; 404 (or 422 naming a body field) if unknown."""
    zone = (await location_zones(session, {location_id})).get(location_id)
    if zone is not None:
        return zone
    detail = f"no location {location_id}"
    extra = {"location_id": str(location_id)}
    if field_name is not None:
        raise RuleViolation(detail, code="unknown_location", field=field_name, extra=extra)
    raise NotFound(detail, code=LOCATION_NOT_FOUND, extra=extra)


def utc_span(first: date, last: date | None) -> tuple[datetime, datetime]:
    """UTC instants that can fall on local dates `first`..`last` (None: open) in any zone."""
    if last is None:
        return utc_reach(first, first)[0], datetime.combine(date.max, time(0), UTC)
    return utc_reach(first, last)
