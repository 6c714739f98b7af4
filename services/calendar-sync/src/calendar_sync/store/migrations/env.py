"""Alembic environment of the calendar-sync service (its URL comes from settings)."""

from calendar_sync.store.tables import TARGET_METADATA
from clinic_platform.store.migrations import run_env

run_env(TARGET_METADATA)
