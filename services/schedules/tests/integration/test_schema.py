"""The migrations build exactly the schema the code declares, the occupancy projection included,
and a rebuild refills every table fed only by events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clinic_platform.store.migrations import upgrade
from schedules.app import MIGRATIONS
from schedules.store.schema import REBUILT_TABLES, TARGET_METADATA

pytestmark = pytest.mark.integration


def test_the_migrations_create_exactly_the_tables_the_code_declares(
    fresh_database: Callable[[str], Any],
) -> None:
    database = fresh_database("schedules")
    upgrade(MIGRATIONS, database.url)
    engine = sa.create_engine(database.url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, TARGET_METADATA)
            tables = set(sa.inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert diffs == []
    assert {"occupancy_facts", "rooms", "equipment"} <= tables


def test_every_replica_and_the_projection_are_rebuilt() -> None:
    # Replicas stamp each row with its event's time; a replica the rebuild forgot would keep
    # stale rows after a replay.
    stamped = {
        table.name
        for metadata in TARGET_METADATA
        for table in metadata.tables.values()
        if "event_time" in table.c
    }
    assert "rooms" in stamped
    # Busy intervals are replaced with their window's row; the projection has its own clock.
    assert stamped | {"busy_intervals", "occupancy_facts"} == set(REBUILT_TABLES)
