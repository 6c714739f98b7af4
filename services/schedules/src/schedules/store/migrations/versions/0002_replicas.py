"""Event-fed replicas: catalog, booked intervals and external busy times, with tenant RLS.

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
    "locations",
    "practitioners",
    "appointment_types",
    "booked_intervals",
    "busy_windows",
    "busy_intervals",
)


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _replica(name: str, key: str, *columns: sa.Column[object] | sa.Constraint) -> None:
    op.create_table(
        name,
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column(key, sa.Uuid, nullable=False),
        *columns,
        _at("event_time"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", key, name=f"pk_{name}"),
    )


def _retired() -> sa.Column[object]:
    return sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.text("false"))


def _minutes(*names: str, nullable: bool = True) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Integer, nullable=nullable) for name in names]


def upgrade() -> None:
    _replica("locations", "id", sa.Column("name", sa.Text), sa.Column("timezone", sa.Text),
             sa.Column("active", sa.Boolean), _retired())
    _replica("practitioners", "id", sa.Column("display_name", sa.Text),
             sa.Column("status", sa.Text),
             sa.Column("location_ids", pg.ARRAY(sa.Uuid), nullable=False,
                       server_default=sa.text("'{}'")),
             _retired())
    op.create_index("ix_practitioners_locations", "practitioners", ["location_ids"],
                    postgresql_using="gin")
    _replica("appointment_types", "id",
             *_minutes("duration_minutes", "buffer_before_minutes", "buffer_after_minutes",
                       "min_notice_minutes", "max_future_days"),
             sa.Column("active", sa.Boolean), _retired())
    _replica(
        "booked_intervals", "appointment_id",
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("practitioner_ids", pg.ARRAY(sa.Uuid), nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("appointment_type_id", sa.Uuid, nullable=False),
        _at("start_at"), _at("end_at"),
        *_minutes("buffer_before_minutes", "buffer_after_minutes", nullable=False),
        _at("blocked_from"), _at("blocked_until"), _at("expires_at", nullable=True),
        sa.Column("outside_hours", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.CheckConstraint("kind IN ('hold', 'appointment')", name="ck_booked_intervals_kind"),
        sa.CheckConstraint("end_at > start_at", name="ck_booked_intervals_ordered"),
    )
    op.create_index("ix_booked_intervals_practitioners", "booked_intervals",
                    ["practitioner_ids"], postgresql_using="gin")
    op.create_index("ix_booked_intervals_blocked", "booked_intervals",
                    ["tenant_id", sa.text("tstzrange(blocked_from, blocked_until)")],
                    postgresql_using="gist")
    _replica("busy_windows", "connection_id",
             sa.Column("practitioner_id", sa.Uuid, nullable=False),
             _at("window_start"), _at("window_end"))
    op.create_table(
        "busy_intervals",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("connection_id", sa.Uuid, nullable=False),
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        _at("start_at"), _at("end_at"),
        sa.PrimaryKeyConstraint("tenant_id", "connection_id", "start_at", "end_at",
                                name="pk_busy_intervals"),
        sa.CheckConstraint("end_at > start_at", name="ck_busy_intervals_ordered"),
    )
    op.create_index("ix_busy_intervals_practitioner", "busy_intervals",
                    ["tenant_id", "practitioner_id", sa.text("tstzrange(start_at, end_at)")],
                    postgresql_using="gist")
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(op, table)
        op.drop_table(table)
