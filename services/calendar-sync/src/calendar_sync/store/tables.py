"""Tables of the calendar-sync service's own database (the outbox and inbox come from the platform)."""

from clinic_platform.store.platform_tables import platform_metadata
from sqlalchemy import MetaData

metadata = MetaData()
TARGET_METADATA = [metadata, platform_metadata]
