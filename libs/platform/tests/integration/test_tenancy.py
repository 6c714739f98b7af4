"""Row-level security: a tenant's transaction cannot see or touch another tenant's rows."""

from __future__ import annotations

from uuid import uuid4

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import ProgrammingError

from clinic_platform.store.sessions import Sessions, system_transaction, tenant_transaction

from .conftest import notes

pytestmark = pytest.mark.integration


async def test_a_query_that_forgets_the_tenant_filter_sees_only_its_own_tenant(
    sessions: Sessions,
) -> None:
    tenant_a, tenant_b = uuid4(), uuid4()
    for tenant, body in ((tenant_a, "A's secret"), (tenant_b, "B's note")):
        async with tenant_transaction(sessions, tenant) as session:
            await session.execute(notes.insert().values(tenant_id=tenant, body=body))

    async with tenant_transaction(sessions, tenant_b) as session:
        assert list(await session.scalars(select(notes.c.body))) == ["B's note"]
        changed = await session.execute(update(notes).values(body="overwritten"))
        deleted = await session.execute(delete(notes).where(notes.c.tenant_id == tenant_a))
        assert changed.rowcount == 1  # only B's own row
        assert deleted.rowcount == 0

    async with tenant_transaction(sessions, tenant_a) as session:
        assert list(await session.scalars(select(notes.c.body))) == ["A's secret"]


async def test_a_tenant_cannot_write_a_row_for_another_tenant(sessions: Sessions) -> None:
    with pytest.raises(ProgrammingError, match="row-level security"):
        async with tenant_transaction(sessions, uuid4()) as session:
            await session.execute(notes.insert().values(tenant_id=uuid4(), body="smuggled"))


async def test_a_session_without_tenant_sees_nothing(sessions: Sessions) -> None:
    tenant = uuid4()
    async with tenant_transaction(sessions, tenant) as session:
        await session.execute(notes.insert().values(tenant_id=tenant, body="hidden"))
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(notes)) == 0


async def test_platform_workers_see_every_tenant(sessions: Sessions) -> None:
    for tenant in (uuid4(), uuid4()):
        async with tenant_transaction(sessions, tenant) as session:
            await session.execute(notes.insert().values(tenant_id=tenant, body="row"))
    async with system_transaction(sessions) as session:
        assert await session.scalar(select(func.count()).select_from(notes)) == 2
