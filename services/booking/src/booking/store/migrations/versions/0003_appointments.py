"""Appointments, holds, occupations with exclusion constraints, series, idempotency keys.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from clinic_platform.store.rls import enable_tenant_rls
from sqlalchemy.dialects import postgresql as pg

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("series", "appointments", "occupations", "idempotency_keys")
REFERENCES = [("appointment_type_id", "appointment_types"), ("location_id", "locations"),
              ("patient_id", "patients"), ("room_id", "rooms"), ("series_id", "series")]


def _timestamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("rrule", sa.Text, nullable=False),
        sa.Column("first_local_start", sa.DateTime(timezone=False), nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        *_timestamps(),
        sa.UniqueConstraint("tenant_id", "id", name="uq_series_tenant_id_id"),
    )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("appointment_type_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("patient_id", sa.Uuid, ),
        sa.Column("practitioner_ids", pg.ARRAY(sa.Uuid), nullable=False),
        sa.Column("room_id", sa.Uuid, ),
        sa.Column("equipment_ids", pg.ARRAY(sa.Uuid), nullable=False,
                  server_default=sa.text("'{}'")),
        sa.Column("start_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("buffer_before_minutes", sa.Integer, nullable=False),
        sa.Column("buffer_after_minutes", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
        sa.Column("hold_id", sa.Uuid),
        sa.Column("series_id", sa.Uuid, ),
        sa.Column("series_index", sa.Integer),
        sa.Column("reschedule_count", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("outside_hours", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("hours_decided_by", sa.Text),
        sa.Column("cancelled_by", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("created_by", sa.Text, nullable=False),
        *_timestamps(),
        sa.CheckConstraint("end_at > start_at", name="ck_appointments_ordered"),
        # Composite keys: a plain foreign key check ignores RLS and would accept another
        # tenant's id; these accept only the same tenant's rows.
        *[sa.ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"])
          for column, table in REFERENCES],
        sa.UniqueConstraint("tenant_id", "id", name="uq_appointments_tenant_id_id"),
    )
    op.create_index("ix_appointments_patient", "appointments",
                    ["tenant_id", "patient_id", "start_at"])
    op.create_index("ix_appointments_practitioners", "appointments", ["practitioner_ids"],
                    postgresql_using="gin")
    op.create_index("ix_appointments_start", "appointments", ["tenant_id", "start_at", "id"])
    op.create_table(
        "occupations",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("appointment_id", sa.Uuid, nullable=False),
        sa.ForeignKeyConstraint(["tenant_id", "appointment_id"],
                                ["appointments.tenant_id", "appointments.id"], ondelete="CASCADE"),
        sa.Column("resource_kind", sa.Text, nullable=False),
        sa.Column("resource_id", sa.Uuid, nullable=False),
        sa.Column("seat", sa.SmallInteger, nullable=False, server_default=sa.text("1")),
        sa.Column("period", pg.TSTZRANGE, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("expires_at", sa.DateTime(timezone=True)),
    )
    # The guarantee itself: no two active occupations of one resource seat overlap in time.
    op.execute(
        "ALTER TABLE occupations ADD CONSTRAINT no_double_booking EXCLUDE USING gist "
        "(tenant_id WITH =, resource_id WITH =, seat WITH =, period WITH &&) WHERE (active)"
    )
    op.create_index("ix_occupations_appointment", "occupations", ["appointment_id"])
    op.create_index("ix_occupations_expiring", "occupations", ["expires_at"],
                    postgresql_where=sa.text("active"))
    op.create_table(
        "idempotency_keys",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("actor_subject", sa.Text, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("response", pg.JSONB),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "actor_subject", "key"),
    )
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
