"""The append-only audit log: who changed what, when, with the state before and after."""

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, Table, Text, Uuid, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from booking.store.tables.base import metadata, tenant_column

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    tenant_column(),
    Column("entity_type", Text, nullable=False),  # "appointment", "location", "patient", …
    Column("entity_id", Uuid, nullable=False),
    Column("action", Text, nullable=False),  # "booked", "cancelled", "updated", …
    Column("actor_subject", Text, nullable=False),
    Column("actor_roles", ARRAY(Text), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("before", JSONB),
    Column("after", JSONB),
    Column("reason", Text),
    Index("ix_audit_log_entity", "tenant_id", "entity_type", "entity_id", "id"),
)
