"""Recurring rules: skipped and added dates (EXDATE, RDATE) on exceptions; holidays and forced
blocks that recur (RRULE, with the zone a block's local times repeat in).

Only nullable or defaulted columns are added, so the previous version keeps serving (it reads a
recurring holiday or block as its first date only until it is replaced).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_DATES = 366
RECURRING = ("exceptions", "holidays", "forced_blocks")


def _dates(name: str) -> sa.Column[object]:
    return sa.Column(name, pg.ARRAY(sa.Date), nullable=False, server_default=sa.text("'{}'"))


def upgrade() -> None:
    op.add_column("holidays", sa.Column("rrule", sa.Text))
    op.add_column("forced_blocks", sa.Column("rrule", sa.Text))
    op.add_column("forced_blocks", sa.Column("timezone", sa.Text))
    op.create_check_constraint(
        "ck_forced_blocks_zone", "forced_blocks", "(rrule IS NULL) = (timezone IS NULL)"
    )
    for table in RECURRING:
        op.add_column(table, _dates("exdates"))
        op.add_column(table, _dates("rdates"))
        op.create_check_constraint(
            f"ck_{table}_dates",
            table,
            f"cardinality(exdates) <= {MAX_DATES} AND cardinality(rdates) <= {MAX_DATES} AND "
            "(rrule IS NOT NULL OR cardinality(exdates) + cardinality(rdates) = 0)",
        )


def downgrade() -> None:
    for table in RECURRING:
        op.drop_constraint(f"ck_{table}_dates", table)
        op.drop_column(table, "rdates")
        op.drop_column(table, "exdates")
    op.drop_constraint("ck_forced_blocks_zone", "forced_blocks")
    op.drop_column("forced_blocks", "timezone")
    op.drop_column("forced_blocks", "rrule")
    op.drop_column("holidays", "rrule")
