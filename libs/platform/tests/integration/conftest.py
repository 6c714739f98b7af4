"""Fixtures for the chassis's integration tests: a migrated fresh database, provisioned topics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, Integer, MetaData, Table, Text, Uuid
from sqlalchemy.engine import Connection

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.store.platform_tables import create_platform_tables
from clinic_platform.store.rls import enable_tenant_rls
from clinic_platform.store.sessions import Sessions, create_engine, create_sessions

pytestmark = pytest.mark.integration

notes_metadata = MetaData()
# A tenant-owned table standing in for a service's own data in the tests.
notes = Table(
    "notes",
    notes_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("body", Text, nullable=False),
)


def _migrate(connection: Connection) -> None:
    op = Operations(MigrationContext.configure(connection))
    create_platform_tables(op)
    notes_metadata.create_all(connection)
    enable_tenant_rls(op, "notes")


@pytest.fixture
async def sessions(fresh_database: Callable[[str], Any]) -> AsyncIterator[Sessions]:
    """Sessions on a fresh database owned by a non-superuser role, so RLS applies."""
    database = fresh_database("platform")
    engine = create_engine(database.url)
    async with engine.begin() as connection:
        await connection.run_sync(_migrate)
    yield create_sessions(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
async def kafka(kafka_bootstrap: str) -> str:
    """The broker with every declared topic and dead-letter topic provisioned."""
    await provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS))
    return kafka_bootstrap
