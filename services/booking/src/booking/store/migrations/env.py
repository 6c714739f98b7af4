"""Alembic environment of the booking service (its URL comes from settings)."""

from booking.store.tables import TARGET_METADATA
from clinic_platform.store.migrations import run_env

run_env(TARGET_METADATA)
