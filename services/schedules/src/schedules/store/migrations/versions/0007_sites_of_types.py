"""Where a type can be booked: replicas of rooms and equipment, and each type's room and equipment.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from clinic_platform.store.rls import disable_tenant_rls, enable_tenant_rls
from sqlalchemy.dialects import postgresql as pg

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("rooms", "equipment")


def upgrade() -> None:
    op.add_column("appointment_types", sa.Column("default_room_id", sa.Uuid))
    op.add_column(
        "appointment_types",
        sa.Column("required_equipment_ids", pg.ARRAY(sa.Uuid), nullable=False,
                  server_default=sa.text("'{}'")),
    )
    for name in TABLES:
        op.create_table(
            name,
            sa.Column("tenant_id", sa.Uuid, nullable=False),
            sa.Column("id", sa.Uuid, nullable=False),
            sa.Column("location_id", sa.Uuid),
            sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.text("false")),
            sa.Column("event_time", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                      server_default=sa.func.now()),
            sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{name}"),
        )
        enable_tenant_rls(op, name)


def downgrade() -> None:
    for name in reversed(TABLES):
        disable_tenant_rls(op, name)
        op.drop_table(name)
    op.drop_column("appointment_types", "required_equipment_ids")
    op.drop_column("appointment_types", "default_room_id")
