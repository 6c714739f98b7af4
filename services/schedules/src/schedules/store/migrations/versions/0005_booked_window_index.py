"""Occupations by tenant and start, for the availability loader under row-level security.

With RLS forced, only leakproof comparisons can drive an index scan: `&&` on arrays and ranges is
not leakproof, so the GIN and GiST indexes of 0002 never serve a tenant's query and every load
read the whole table. Equality on uuid and order on timestamptz are leakproof, so the loader
asks for `tenant_id = current tenant AND blocked_from` within a bounded window on this index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_booked_intervals_tenant_from", "booked_intervals", ["tenant_id", "blocked_from"]
    )


def downgrade() -> None:
    op.drop_index("ix_booked_intervals_tenant_from", table_name="booked_intervals")
