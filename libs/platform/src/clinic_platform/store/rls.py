"""Row-level-security policies for Alembic migrations: one call per tenant-owned table."""

from __future__ import annotations

from typing import Protocol

from clinic_platform.store.sessions import SYSTEM_SETTING, TENANT_SETTING

POLICY_NAME = "tenant_isolation"

# An unset setting reads as '' after a transaction that set it locally, hence nullif.
TENANT_PREDICATE = (
    f"tenant_id = nullif(current_setting('{TENANT_SETTING}', true), '')::uuid"
    f" OR current_setting('{SYSTEM_SETTING}', true) = 'on'"
)


class MigrationOps(Protocol):
    """The part of `alembic.op` these helpers use."""

    def execute(self, sqltext: str) -> object: ...


def enable_tenant_rls(op: MigrationOps, table: str) -> None:
    """Enable and force RLS on `table` so only the transaction's tenant sees or writes rows."""
    # FORCE because services connect as the tables' owner, whom plain RLS would exempt.
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY_NAME} ON {table} "
        f"USING ({TENANT_PREDICATE}) WITH CHECK ({TENANT_PREDICATE})"
    )


def disable_tenant_rls(op: MigrationOps, table: str) -> None:
    """Undo `enable_tenant_rls` (for downgrades)."""
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
