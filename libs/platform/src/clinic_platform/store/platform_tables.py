"""The outbox and inbox tables every service's database holds, created by its first migration."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Connection

from clinic_platform.store.rls import MigrationOps, enable_tenant_rls

platform_metadata = MetaData()

outbox = Table(
    "clinic_outbox",
    platform_metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("topic", Text, nullable=False),
    Column("message_key", Text, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("headers", JSONB, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    # The relay only ever scans unpublished rows in id order; keep that scan tiny.
    Index("clinic_outbox_pending", "id", postgresql_where=text("published_at IS NULL")),
)

inbox = Table(
    "clinic_inbox",
    platform_metadata,
    Column("consumer_group", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("tenant_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", BigInteger, nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer_group", "event_id"),
)


class MigrationContextOps(MigrationOps, Protocol):
    """`alembic.op` with its connection."""

    def get_bind(self) -> Connection: ...


def create_platform_tables(op: MigrationContextOps) -> None:
    """Create the outbox and inbox with tenant RLS; call from a service's first migration."""
    platform_metadata.create_all(op.get_bind(), tables=[outbox, inbox])
    enable_tenant_rls(op, outbox.name)
    enable_tenant_rls(op, inbox.name)


def drop_platform_tables(op: MigrationContextOps) -> None:
    """Drop the outbox and inbox (downgrade of the first migration)."""
    platform_metadata.drop_all(op.get_bind(), tables=[inbox, outbox])
