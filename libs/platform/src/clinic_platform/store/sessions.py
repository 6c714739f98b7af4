"""Async engines and the one way to open a transaction: scoped to a tenant, or to the system."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

Sessions = async_sessionmaker[AsyncSession]

# Row-level-security policies read these settings; `set_config(..., true)` is `SET LOCAL`,
# which takes no bind parameters, so the value can never be spliced into SQL text.
TENANT_SETTING = "app.tenant_id"
SYSTEM_SETTING = "app.system"
# Built once: every request's transaction runs it.
_SET_LOCAL = text("SELECT set_config(:name, :value, true)")


async def set_local(session: AsyncSession, name: str, value: str) -> None:
    """`SET LOCAL name = value` for the session's current transaction, with bind parameters."""
    await session.execute(_SET_LOCAL, {"name": name, "value": value})


def create_engine(url: str, *, pool_size: int = 10, max_overflow: int = 10) -> AsyncEngine:
    """Build an async engine for a psycopg 3 URL (`postgresql+psycopg://…`)."""
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        # No pre-ping round trip per checkout: a connection broken by a database restart fails
        # one request (a 503) and SQLAlchemy then discards the whole stale pool.
        pool_pre_ping=False,
        pool_recycle=1800,
    )


def create_sessions(engine: AsyncEngine) -> Sessions:
    """A session factory whose objects stay readable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def tenant_transaction(sessions: Sessions, tenant_id: UUID) -> AsyncIterator[AsyncSession]:
    """Open a transaction in which row-level security admits only `tenant_id`'s rows."""
    async with sessions() as session, session.begin():
        await set_local(session, TENANT_SETTING, str(tenant_id))
        yield session


@asynccontextmanager
async def system_transaction(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """Open a cross-tenant transaction for platform workers (outbox relay, sweepers)."""
    async with sessions() as session, session.begin():
        await set_local(session, SYSTEM_SETTING, "on")
        yield session
