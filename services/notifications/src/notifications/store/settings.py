"""Per-tenant settings, practitioners' notification preferences and template overrides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.channels import DEFAULT_FALLBACK
from notifications.domain.reminders import DEFAULT_OFFSETS_MINUTES
from notifications.store.tables import practitioner_preferences, templates, tenant_settings

DEFAULTS: dict[str, Any] = {
    "staff_emails": [],
    "staff_language": "en",
    "rebook_url": None,
    "fallback_channels": [c.value for c in DEFAULT_FALLBACK],
    "webhook_url": None,
    "webhook_secret": None,
    "reminder_offsets_minutes": list(DEFAULT_OFFSETS_MINUTES),
}


async def tenant(session: AsyncSession, tenant_id: UUID) -> dict[str, Any]:
    """The tenant's settings, defaults filled in when it has never saved any."""
    row = (
        (
            await session.execute(
                select(tenant_settings).where(tenant_settings.c.tenant_id == tenant_id)
            )
        )
        .mappings()
        .first()
    )
    return {**DEFAULTS, **({k: row[k] for k in DEFAULTS} if row else {})}


async def save_tenant(session: AsyncSession, tenant_id: UUID, **values: Any) -> dict[str, Any]:
    """Change some of the tenant's settings; returns all of them."""
    statement = insert(tenant_settings).values(tenant_id=tenant_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id"], set_={**values, "updated_at": func.now()}
        )
    )
    return await tenant(session, tenant_id)


async def preferences(session: AsyncSession, practitioner_id: UUID) -> RowMapping | None:
    """A practitioner's notification preferences, if set."""
    found = await session.execute(
        select(practitioner_preferences).where(
            practitioner_preferences.c.practitioner_id == practitioner_id
        )
    )
    return found.mappings().first()


async def save_preferences(
    session: AsyncSession, tenant_id: UUID, practitioner_id: UUID, **values: Any
) -> None:
    """Set a practitioner's preferences."""
    statement = insert(practitioner_preferences).values(
        tenant_id=tenant_id, practitioner_id=practitioner_id, **values
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "practitioner_id"],
            set_={**values, "updated_at": func.now()},
        )
    )


async def template(
    session: AsyncSession, kind: str, channel: str, language: str
) -> RowMapping | None:
    """The tenant's override of one template, if any."""
    found = await session.execute(
        select(templates).where(
            templates.c.kind == kind,
            templates.c.channel == channel,
            templates.c.language == language,
        )
    )
    return found.mappings().first()


async def all_templates(session: AsyncSession) -> Sequence[RowMapping]:
    """Every override of the tenant."""
    rows = await session.execute(
        select(templates).order_by(templates.c.kind, templates.c.channel, templates.c.language)
    )
    return rows.mappings().all()


async def save_template(session: AsyncSession, tenant_id: UUID, **values: Any) -> None:
    """Create or replace an override."""
    statement = insert(templates).values(tenant_id=tenant_id, **values)
    changes = {k: statement.excluded[k] for k in ("subject", "text", "html")}
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "kind", "channel", "language"],
            set_={**changes, "updated_at": func.now()},
        )
    )


async def delete_template(session: AsyncSession, kind: str, channel: str, language: str) -> bool:
    """Drop an override (the default applies again); False if there was none."""
    result = await session.execute(
        delete(templates)
        .where(
            templates.c.kind == kind,
            templates.c.channel == channel,
            templates.c.language == language,
        )
        .returning(templates.c.kind)
    )
    return result.first() is not None
