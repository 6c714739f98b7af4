"""Rules this service owns: clinic hours, holidays, weekly templates, exceptions, leave,
forced blocks and outside-hours marks, with tenant RLS.

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

TABLES = (
    "clinic_hours",
    "holidays",
    "weekly_templates",
    "exceptions",
    "leaves",
    "forced_blocks",
    "outside_hours_marks",
)


def _at(name: str, *, nullable: bool = False, now: bool = False) -> sa.Column[object]:
    default = sa.func.now() if now else None
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, server_default=default)


def _owned(name: str, *items: sa.Column[object] | sa.Constraint) -> None:
    op.create_table(
        name,
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        *items,
        _at("created_at", now=True), _at("updated_at", now=True),
        sa.Column("updated_by", sa.Uuid),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{name}"),
    )


def upgrade() -> None:
    op.create_table(
        "clinic_hours",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("weekly", pg.JSONB, nullable=False),
        sa.Column("date_overrides", pg.JSONB, nullable=False),
        sa.Column("closed_dates", pg.ARRAY(sa.Date), nullable=False,
                  server_default=sa.text("'{}'")),
        _at("updated_at", now=True), sa.Column("updated_by", sa.Uuid),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", name="pk_clinic_hours"),
    )
    op.create_table(
        "holidays",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        _at("updated_at", now=True), sa.Column("updated_by", sa.Uuid),
        sa.PrimaryKeyConstraint("tenant_id", "location_id", "on_date", name="pk_holidays"),
    )
    _owned(
        "weekly_templates",
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date),
        sa.Column("intervals", pg.JSONB, nullable=False),
        sa.CheckConstraint("effective_to IS NULL OR effective_to >= effective_from",
                           name="ck_weekly_templates_range"),
        pg.ExcludeConstraint(
            ("tenant_id", "="), ("practitioner_id", "="), ("location_id", "="),
            (sa.text("daterange(effective_from, effective_to, '[]')"), "&&"),
            name="ex_weekly_templates_overlap", using="gist",
        ),
    )
    _owned(
        "exceptions",
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        sa.Column("location_id", sa.Uuid),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("on_date", sa.Date), sa.Column("rrule", sa.Text), sa.Column("dtstart", sa.Date),
        sa.Column("start_time", sa.Time), sa.Column("end_time", sa.Time),
        sa.Column("appointment_type_id", sa.Uuid),
        sa.Column("max_parallel_sessions", sa.Integer, nullable=False,
                  server_default=sa.text("1")),
        sa.Column("reason", sa.Text),
        sa.CheckConstraint("kind IN ('blocked', 'available')", name="ck_exceptions_kind"),
        sa.CheckConstraint("(on_date IS NULL) <> (rrule IS NULL)",
                           name="ck_exceptions_date_or_rrule"),
        sa.CheckConstraint("(rrule IS NULL) = (dtstart IS NULL)", name="ck_exceptions_dtstart"),
        sa.CheckConstraint("(start_time IS NULL) = (end_time IS NULL)",
                           name="ck_exceptions_times"),
    )
    op.create_index("ix_exceptions_practitioner", "exceptions", ["tenant_id", "practitioner_id"])
    _owned(
        "leaves",
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        _at("start_at"), _at("end_at"),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("requested_by", sa.Uuid), sa.Column("decided_by", sa.Uuid),
        _at("decided_at", nullable=True),
        sa.CheckConstraint("end_at > start_at", name="ck_leaves_ordered"),
        sa.CheckConstraint("status IN ('requested', 'approved', 'rejected', 'cancelled')",
                           name="ck_leaves_status"),
    )
    op.create_index("ix_leaves_practitioner", "leaves",
                    ["tenant_id", "practitioner_id", "start_at"])
    _owned(
        "forced_blocks",
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        _at("start_at"), _at("end_at"),
        sa.Column("reason", sa.Text),
        _at("lifted_at", nullable=True),
        sa.CheckConstraint("end_at > start_at", name="ck_forced_blocks_ordered"),
        sa.CheckConstraint("kind IN ('forced', 'emergency')", name="ck_forced_blocks_kind"),
    )
    op.create_index("ix_forced_blocks_practitioner", "forced_blocks",
                    ["tenant_id", "practitioner_id", "start_at"])
    op.create_table(
        "outside_hours_marks",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("appointment_id", sa.Uuid, nullable=False),
        _at("start_at"), _at("end_at"),
        sa.Column("cause", sa.Text, nullable=False),
        sa.Column("rule_id", sa.Uuid), sa.Column("marked_by", sa.Uuid),
        _at("marked_at", now=True),
        sa.PrimaryKeyConstraint("tenant_id", "appointment_id", name="pk_outside_hours_marks"),
    )
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    # Dropping a table drops its policies with it.
    for table in reversed(TABLES):
        op.drop_table(table)
