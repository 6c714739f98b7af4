"""Alembic plumbing every service shares: its `env.py` calls `run_env`, its CLI calls `upgrade`."""

from __future__ import annotations

import asyncio
import zlib
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

URL_OPTION = "sqlalchemy.url"
MIGRATION_LOCK_KEY = zlib.crc32(b"clinic_migrations")


def alembic_config(script_location: Path, database_url: str) -> Config:
    """An Alembic config for one service's migration history, its URL taken from settings."""
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("path_separator", "os")
    config.attributes[URL_OPTION] = database_url
    return config


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    """Migrate a service's database to `revision`."""
    command.upgrade(alembic_config(script_location, database_url), revision)


def downgrade(script_location: Path, database_url: str, revision: str) -> None:
    """Migrate a service's database back to `revision`."""
    command.downgrade(alembic_config(script_location, database_url), revision)


def run_env(target_metadata: MetaData | list[MetaData]) -> None:
    """The body of a service's `env.py`: online migrations over an async psycopg engine."""
    url = context.config.attributes.get(URL_OPTION) or context.config.get_main_option(URL_OPTION)
    if not url:
        raise RuntimeError("no database URL: pass it through alembic_config()")
    asyncio.run(_run_online(url, target_metadata))


async def _run_online(url: str, target_metadata: MetaData | list[MetaData]) -> None:
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync, target_metadata)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_sync(connection: Connection, target_metadata: MetaData | list[MetaData]) -> None:
    # Several replicas may start together; one migrates while the others wait, then find it done.
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    context.configure(
        connection=connection, target_metadata=target_metadata, transaction_per_migration=True
    )
    with context.begin_transaction():
        context.run_migrations()
