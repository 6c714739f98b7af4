"""Alembic environment of the schedules service (its URL comes from settings)."""

from clinic_platform.store.migrations import run_env
from schedules.store.schema import TARGET_METADATA

run_env(TARGET_METADATA)
