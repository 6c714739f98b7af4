"""The catalog (locations, practitioners, appointment types, rooms, equipment) and patients.

Rows are never deleted: the catalog is retired (`retired_at`) and patients are erased (PII
scrubbed, `erased_at` set), so history and foreign keys stay valid. Every reference between
tenant-owned rows is a composite `(tenant_id, id)` key, so even a buggy query cannot point one
clinic's row at another clinic's (foreign-key checks bypass row-level security).
"""

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.schema import SchemaItem

from booking.store.tables.base import metadata, tenant_column, timestamps


def _entity(name: str, *columns: SchemaItem) -> Table:
    """A tenant-owned table keyed by `id`, also unique on `(tenant_id, id)` for composite FKs."""
    return Table(
        name,
        metadata,
        Column("id", Uuid, primary_key=True),
        tenant_column(),
        *columns,
        *timestamps(),
        UniqueConstraint("tenant_id", "id", name=f"uq_{name}_tenant_id_id"),
        Index(f"ix_{name}_page", "tenant_id", "created_at", "id"),
    )


def _tenant_fk(table: str, column: str, target: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target}.tenant_id", f"{target}.id"],
        name=f"fk_{table}_{column}_{target}",
    )


locations = _entity(
    "locations",
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False, server_default=""),
    Column("timezone", Text, nullable=False),  # IANA name, validated by the API
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("retired_at", DateTime(timezone=True)),
)

practitioners = _entity(
    "practitioners",
    Column("display_name", Text, nullable=False),
    Column("bio", Text),
    Column("status", Text, nullable=False, server_default="draft"),
    Column("specialties", ARRAY(Text), nullable=False, server_default="{}"),
    Column("retired_at", DateTime(timezone=True)),
    CheckConstraint("status IN ('draft', 'active', 'inactive')", name="status"),
)

practitioner_locations = Table(
    "practitioner_locations",
    metadata,
    tenant_column(),
    Column("practitioner_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    PrimaryKeyConstraint("practitioner_id", "location_id", name="pk_practitioner_locations"),
    _tenant_fk("practitioner_locations", "practitioner_id", "practitioners"),
    _tenant_fk("practitioner_locations", "location_id", "locations"),
    Index("ix_practitioner_locations_location", "tenant_id", "location_id"),
)

rooms = _entity(
    "rooms",
    Column("location_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("capacity", Integer, nullable=False, server_default=text("1")),
    Column("virtual", Boolean, nullable=False, server_default=text("false")),
    Column("retired_at", DateTime(timezone=True)),
    CheckConstraint("capacity >= 1", name="capacity"),
    _tenant_fk("rooms", "location_id", "locations"),
)

equipment = _entity(
    "equipment",
    Column("location_id", Uuid, nullable=False),
    Column("name", Text, nullable=False),
    Column("retired_at", DateTime(timezone=True)),
    _tenant_fk("equipment", "location_id", "locations"),
)

appointment_types = _entity(
    "appointment_types",
    Column("slug", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("buffer_before_minutes", Integer, nullable=False, server_default=text("0")),
    Column("buffer_after_minutes", Integer, nullable=False, server_default=text("0")),
    Column("min_notice_minutes", Integer, nullable=False, server_default=text("0")),
    Column("max_future_days", Integer, nullable=False),
    Column("reschedule_limit", Integer, nullable=False),
    Column("cancellation_notice_minutes", Integer, nullable=False, server_default=text("0")),
    Column("consultation_mode", Text, nullable=False),
    Column("price", Numeric(12, 4), nullable=False),
    Column("currency", Text, nullable=False),
    Column("default_room_id", Uuid),
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("retired_at", DateTime(timezone=True)),
    CheckConstraint("duration_minutes >= 1", name="duration"),
    CheckConstraint(
        "LEAST(buffer_before_minutes, buffer_after_minutes, min_notice_minutes,"
        " max_future_days, reschedule_limit, cancellation_notice_minutes, price) >= 0",
        name="not_negative",
    ),
    CheckConstraint("consultation_mode IN ('in_person', 'video', 'phone')", name="mode"),
    _tenant_fk("appointment_types", "default_room_id", "rooms"),
    # A retired type gives its slug back; live types never share one.
    Index(
        "uq_appointment_types_tenant_slug",
        "tenant_id",
        "slug",
        unique=True,
        postgresql_where=text("retired_at IS NULL"),
    ),
)

appointment_type_equipment = Table(
    "appointment_type_equipment",
    metadata,
    tenant_column(),
    Column("appointment_type_id", Uuid, nullable=False),
    Column("equipment_id", Uuid, nullable=False),
    PrimaryKeyConstraint(
        "appointment_type_id", "equipment_id", name="pk_appointment_type_equipment"
    ),
    _tenant_fk("appointment_type_equipment", "appointment_type_id", "appointment_types"),
    _tenant_fk("appointment_type_equipment", "equipment_id", "equipment"),
    Index("ix_appointment_type_equipment_equipment", "tenant_id", "equipment_id"),
)

patients = _entity(
    "patients",
    Column("name", Text),  # PII columns are NULL once erased
    Column("email", Text),
    Column("phone", Text),
    Column("line_user_id", Text),
    Column("preferred_language", Text, nullable=False),
    Column("preferred_channel", Text, nullable=False),
    Column("timezone", Text),
    Column("erased_at", DateTime(timezone=True)),
    CheckConstraint(
        "CASE WHEN erased_at IS NULL THEN name IS NOT NULL"
        " ELSE num_nonnulls(name, email, phone, line_user_id) = 0 END",
        name="erasure",
    ),
)
