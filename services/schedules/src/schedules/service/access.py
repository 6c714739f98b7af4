"""Who may read or change a practitioner's availability, and the practitioner's existence."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts.http.availability import PRACTITIONER_NOT_FOUND
from clinic_platform.auth import Permission, Principal
from clinic_platform.errors import Forbidden, NotFound
from schedules.store.tables import practitioners


async def known_practitioner(session: AsyncSession, practitioner_id: UUID) -> Row[Any]:
    """The practitioner's replica row; 404 when the catalog never announced them or retired them."""
    row = (
        await session.execute(
            select(practitioners).where(
                practitioners.c.id == practitioner_id,
                practitioners.c.retired.is_(False),
                practitioners.c.display_name.is_not(None),
            )
        )
    ).first()
    if row is None:
        raise NotFound(
            f"no practitioner {practitioner_id}",
            code=PRACTITIONER_NOT_FOUND,
            extra={"practitioner_id": str(practitioner_id)},
        )
    return row


def ensure_may(actor: Principal, any_: Permission, own: Permission, practitioner_id: UUID) -> None:
    """403 unless the actor holds `any_`, or `own` and is this practitioner."""
    if actor.can_act_for_practitioner(any_, own, practitioner_id):
        return
    raise Forbidden(
        f"this needs {any_.value} (or {own.value} for your own)",
        code="missing_permission",
        extra={"missing_permissions": [any_.value]},
    )
