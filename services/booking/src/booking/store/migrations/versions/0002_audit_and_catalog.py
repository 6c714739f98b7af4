"""The append-only audit log, the catalog and patients, all with tenant row-level security.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from clinic_platform.store.rls import disable_tenant_rls, enable_tenant_rls
from sqlalchemy.dialects import postgresql as pg

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "audit_log", "locations", "practitioners", "practitioner_locations", "rooms", "equipment",
    "appointment_types", "appointment_type_equipment", "patients",
)

APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""


def _entity(name: str, *columns: sa.schema.SchemaItem) -> None:
    """A tenant-owned table keyed by id, unique on (tenant_id, id) for composite FKs."""
    op.create_table(
        name,
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        *columns,
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{name}")),
        sa.UniqueConstraint("tenant_id", "id", name=op.f(f"uq_{name}_tenant_id_id")),
    )
    op.create_index(op.f(f"ix_{name}_page"), name, ["tenant_id", "created_at", "id"])


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id", column], [f"{target}.tenant_id", f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
    )


def _retired() -> sa.Column[object]:
    return sa.Column("retired_at", sa.DateTime(timezone=True))


def _audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("entity_type", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Uuid, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("actor_subject", sa.Text, nullable=False),
        sa.Column("actor_roles", pg.ARRAY(sa.Text), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("before", pg.JSONB),
        sa.Column("after", pg.JSONB),
        sa.Column("reason", sa.Text),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(
        op.f("ix_audit_log_entity"), "audit_log", ["tenant_id", "entity_type", "entity_id", "id"]
    )
    op.execute(APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute(
        "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    )


def _sites() -> None:
    _entity(
        "locations",
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=False, server_default=""),
        sa.Column("timezone", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        _retired(),
    )
    _entity(
        "rooms",
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("virtual", sa.Boolean, nullable=False, server_default=sa.text("false")),
        _retired(),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_rooms_capacity")),
        _fk("rooms", "location_id", "locations"),
    )
    _entity(
        "equipment",
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        _retired(),
        _fk("equipment", "location_id", "locations"),
    )


def _practitioners() -> None:
    _entity(
        "practitioners",
        sa.Column("display_name", sa.Text, nullable=False),
        sa.Column("bio", sa.Text),
        sa.Column("status", sa.Text, nullable=False, server_default="draft"),
        sa.Column("specialties", pg.ARRAY(sa.Text), nullable=False, server_default="{}"),
        _retired(),
        sa.CheckConstraint("status IN ('draft', 'active', 'inactive')",
                           name=op.f("ck_practitioners_status")),
    )
    op.create_table(
        "practitioner_locations",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.PrimaryKeyConstraint("practitioner_id", "location_id",
                                name=op.f("pk_practitioner_locations")),
        _fk("practitioner_locations", "practitioner_id", "practitioners"),
        _fk("practitioner_locations", "location_id", "locations"),
    )
    op.create_index(op.f("ix_practitioner_locations_location"), "practitioner_locations",
                    ["tenant_id", "location_id"])


def _appointment_types() -> None:
    _entity(
        "appointment_types",
        sa.Column("slug", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("buffer_after_minutes", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("min_notice_minutes", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("max_future_days", sa.Integer, nullable=False),
        sa.Column("reschedule_limit", sa.Integer, nullable=False),
        sa.Column("cancellation_notice_minutes", sa.Integer, nullable=False,
                  server_default=sa.text("0")),
        sa.Column("consultation_mode", sa.Text, nullable=False),
        sa.Column("price", sa.Numeric(12, 4), nullable=False),
        sa.Column("currency", sa.Text, nullable=False),
        sa.Column("default_room_id", sa.Uuid),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        _retired(),
        sa.CheckConstraint("duration_minutes >= 1", name=op.f("ck_appointment_types_duration")),
        sa.CheckConstraint(
            "LEAST(buffer_before_minutes, buffer_after_minutes, min_notice_minutes,"
            " max_future_days, reschedule_limit, cancellation_notice_minutes, price) >= 0",
            name=op.f("ck_appointment_types_not_negative"),
        ),
        sa.CheckConstraint("consultation_mode IN ('in_person', 'video', 'phone')",
                           name=op.f("ck_appointment_types_mode")),
        _fk("appointment_types", "default_room_id", "rooms"),
    )
    op.create_index(op.f("uq_appointment_types_tenant_slug"), "appointment_types",
                    ["tenant_id", "slug"], unique=True,
                    postgresql_where=sa.text("retired_at IS NULL"))
    op.create_table(
        "appointment_type_equipment",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("appointment_type_id", sa.Uuid, nullable=False),
        sa.Column("equipment_id", sa.Uuid, nullable=False),
        sa.PrimaryKeyConstraint("appointment_type_id", "equipment_id",
                                name=op.f("pk_appointment_type_equipment")),
        _fk("appointment_type_equipment", "appointment_type_id", "appointment_types"),
        _fk("appointment_type_equipment", "equipment_id", "equipment"),
    )
    op.create_index(op.f("ix_appointment_type_equipment_equipment"),
                    "appointment_type_equipment", ["tenant_id", "equipment_id"])


def _patients() -> None:
    _entity(
        "patients",
        sa.Column("name", sa.Text),
        sa.Column("email", sa.Text),
        sa.Column("phone", sa.Text),
        sa.Column("line_user_id", sa.Text),
        sa.Column("preferred_language", sa.Text, nullable=False),
        sa.Column("preferred_channel", sa.Text, nullable=False),
        sa.Column("timezone", sa.Text),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
        sa.CheckConstraint(
            "CASE WHEN erased_at IS NULL THEN name IS NOT NULL"
            " ELSE num_nonnulls(name, email, phone, line_user_id) = 0 END",
            name=op.f("ck_patients_erasure"),
        ),
    )


def upgrade() -> None:
    _audit_log()
    _sites()
    _practitioners()
    _appointment_types()
    _patients()
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(op, table)
        op.drop_table(table)
    op.execute("DROP FUNCTION audit_log_append_only()")
