"""Alembic environment of the booking service (its URL comes from settings)."""

from clinic_platform.store.migrations import run_env

from booking.store.tables import TARGET_METADATA

run_env(TARGET_METADATA)
