"""The infrastructure under test: PostgreSQL and Kafka from the testkit, a migrated database."""

from __future__ import annotations

import shutil
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text
from sqlalchemy.engine import Connection

from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.store.platform_tables import create_platform_tables
from clinic_platform.store.sessions import Sessions, create_engine, create_sessions
from clinic_testkit import (
    KafkaBroker,
    PostgresServer,
    create_database,
    drop_database,
    make_state_dir,
    provide_kafka,
    provide_postgres,
)
from clinic_testkit.infrastructure import find_deploy_dir


@dataclass(frozen=True)
class Stack:
    """What the benchmarks run on, and how to describe it in the report."""

    sessions: Sessions
    url: str
    bootstrap: str
    postgres: str
    kafka: str


def _migrate(connection: Connection) -> None:
    # Exactly what the chassis's integration tests do: the first migration's platform tables.
    create_platform_tables(Operations(MigrationContext.configure(connection)))


def _kafka_description(broker: KafkaBroker) -> str:
    if broker.origin == "local":
        jars = sorted(find_deploy_dir().glob("kafka/lib/kafka-server-[0-9]*.jar"))
        version = jars[-1].stem.removeprefix("kafka-server-") if jars else "unknown version"
        return f"Kafka {version} (local process, KRaft, 1 node)"
    if broker.origin == "container":
        return "Kafka (testcontainers image, KRaft, 1 node)"
    return f"Kafka at {broker.bootstrap_servers} (KAFKA_BOOTSTRAP_SERVERS; version not queried)"


async def describe_postgres(sessions: Sessions, server: PostgresServer) -> str:
    """Version and durability settings of the server, for the report."""
    async with sessions() as session:
        version = await session.scalar(text("SHOW server_version"))
        fsync = await session.scalar(text("SHOW fsync"))
        sync_commit = await session.scalar(text("SHOW synchronous_commit"))
    origin = {"local": "local process", "container": "testcontainers", "env": "DATABASE_URL"}
    return (
        f"PostgreSQL {version} ({origin[server.origin]}; "
        f"fsync={fsync}, synchronous_commit={sync_commit})"
    )


@dataclass(frozen=True)
class Servers:
    """PostgreSQL and Kafka, started once for every benchmark of a run; topics provisioned."""

    postgres: PostgresServer
    broker: KafkaBroker
    kafka: str
    started_in_s: float


@asynccontextmanager
async def open_servers() -> AsyncIterator[Servers]:
    """The servers (from env vars, containers or local processes) with the contracts' topics."""
    began = time.monotonic()
    async with AsyncExitStack() as stack:
        state_dir = make_state_dir("clinic-bench-")
        stack.callback(shutil.rmtree, state_dir, ignore_errors=True)
        # close() stops only what the testkit started; servers named by env vars stay up.
        server = provide_postgres(state_dir)
        stack.callback(server.close)
        broker = provide_kafka(state_dir)
        stack.callback(broker.close)
        await provision([broker.bootstrap_servers], plan_topics(TOPICS, CONSUMER_GROUPS))
        yield Servers(
            postgres=server,
            broker=broker,
            kafka=_kafka_description(broker),
            started_in_s=time.monotonic() - began,
        )


@asynccontextmanager
async def open_stack(servers: Servers) -> AsyncIterator[Stack]:
    """A fresh non-superuser database with the platform tables on the servers."""
    async with AsyncExitStack() as stack:
        server = servers.postgres
        database = create_database(server, "bench")
        stack.callback(drop_database, server, database)
        # The owner is neither superuser nor BYPASSRLS: the tenant policies apply as in production.
        engine = create_engine(database.url)
        stack.push_async_callback(engine.dispose)
        async with engine.begin() as connection:
            await connection.run_sync(_migrate)
        sessions = create_sessions(engine)
        yield Stack(
            sessions=sessions,
            url=database.url,
            bootstrap=servers.broker.bootstrap_servers,
            postgres=await describe_postgres(sessions, server),
            kafka=servers.kafka,
        )
