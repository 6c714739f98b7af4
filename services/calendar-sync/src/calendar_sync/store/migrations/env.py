"""Alembic environment of the calendar-sync service (its URL comes from settings)."""

from clinic_platform.store.migrations import run_env

from calendar_sync.store.tables import TARGET_METADATA

run_env(TARGET_METADATA)
