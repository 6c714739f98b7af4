"""Alembic environment of the notifications service (its URL comes from settings)."""

from clinic_platform.store.migrations import run_env
from notifications.store.tables import TARGET_METADATA

run_env(TARGET_METADATA)
