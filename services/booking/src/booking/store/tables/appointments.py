"""Appointments and holds, the resources they occupy, recurring series, idempotency keys."""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    SmallInteger,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSTZRANGE, ExcludeConstraint

from booking.store.tables.base import metadata, tenant_column, timestamps

series = Table(
    "series",
    metadata,
    Column("id", Uuid, primary_key=True),
    tenant_column(),
    Column("rrule", Text, nullable=False),
    Column("first_local_start", DateTime(timezone=False), nullable=False),
    Column("created_by", Text, nullable=False),
    *timestamps(),
    UniqueConstraint("tenant_id", "id"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", Uuid, primary_key=True),
    tenant_column(),
    Column("status", Text, nullable=False),
    Column("appointment_type_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("patient_id", Uuid),
    Column("practitioner_ids", ARRAY(Uuid), nullable=False),  # the primary one first
    Column("room_id", Uuid),
    Column("equipment_ids", ARRAY(Uuid), nullable=False, server_default=text("'{}'")),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("buffer_before_minutes", Integer, nullable=False),
    Column("buffer_after_minutes", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True)),  # holds only
    Column("hold_id", Uuid),  # the hold a booking was converted from
    Column("series_id", Uuid),
    Column("series_index", Integer),
    Column("reschedule_count", Integer, nullable=False, server_default=text("0")),
    Column("outside_hours", Boolean, nullable=False, server_default=text("false")),
    Column("hours_decided_by", Text),
    Column("cancelled_by", Text),
    Column("reason", Text),
    Column("created_by", Text, nullable=False),
    *timestamps(),
    *[
        ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])
        for column, table in (
            ("appointment_type_id", "appointment_types"),
            ("location_id", "locations"),
            ("patient_id", "patients"),
            ("room_id", "rooms"),
            ("series_id", "series"),
        )
    ],
    UniqueConstraint("tenant_id", "id"),
    Index("ix_appointments_patient", "tenant_id", "patient_id", "start_at"),
    Index("ix_appointments_practitioners", "practitioner_ids", postgresql_using="gin"),
    Index("ix_appointments_start", "tenant_id", "start_at", "id"),
)

# One row per occupied resource (and seat, for rooms of capacity > 1). The database itself
# refuses two active rows of one resource seat whose periods (buffers included) overlap.
occupations = Table(
    "occupations",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    tenant_column(),
    Column("appointment_id", Uuid, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "appointment_id"],
        ["appointments.tenant_id", "appointments.id"],
        ondelete="CASCADE",
    ),
    Column("resource_kind", Text, nullable=False),
    Column("resource_id", Uuid, nullable=False),
    Column("seat", SmallInteger, nullable=False, server_default=text("1")),
    Column("period", TSTZRANGE, nullable=False),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("expires_at", DateTime(timezone=True)),  # a hold's occupation lapses at this instant
    ExcludeConstraint(
        (Column("tenant_id"), "="),
        (Column("resource_id"), "="),
        (Column("seat"), "="),
        (Column("period"), "&&"),
        name="no_double_booking",
        using="gist",
        where=text("active"),
    ),
    Index("ix_occupations_appointment", "appointment_id"),
    Index("ix_occupations_expiring", "expires_at", postgresql_where=text("active")),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    tenant_column(),
    Column("actor_subject", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("fingerprint", Text, nullable=False),
    Column("status_code", Integer),
    Column("response", JSONB),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=text("now()")),
    PrimaryKeyConstraint("tenant_id", "actor_subject", "key"),
)
