"""Occupancy projection: one fact row per appointment, with tenant RLS.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from clinic_platform.store.rls import disable_tenant_rls, enable_tenant_rls
from sqlalchemy.dialects import postgresql as pg

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "occupancy_facts",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("appointment_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("practitioner_ids", pg.ARRAY(sa.Uuid), nullable=False),
        sa.Column("location_id", sa.Uuid, nullable=False),
        sa.Column("appointment_type_id", sa.Uuid, nullable=False),
        _at("start_at"), _at("end_at"), _at("event_time"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("tenant_id", "appointment_id", name="pk_occupancy_facts"),
        sa.CheckConstraint("end_at > start_at", name="ck_occupancy_facts_ordered"),
    )
    op.create_index("ix_occupancy_facts_time", "occupancy_facts",
                    ["tenant_id", sa.text("tstzrange(start_at, end_at)")],
                    postgresql_using="gist")
    op.create_index("ix_occupancy_facts_practitioners", "occupancy_facts",
                    ["practitioner_ids"], postgresql_using="gin")
    enable_tenant_rls(op, "occupancy_facts")


def downgrade() -> None:
    disable_tenant_rls(op, "occupancy_facts")
    op.drop_table("occupancy_facts")  # its indexes go with it
