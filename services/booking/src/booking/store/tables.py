"""Tables of this service's own database (the outbox and inbox come from the platform)."""

from sqlalchemy import MetaData

from clinic_platform.store.platform_tables import platform_metadata

metadata = MetaData()
TARGET_METADATA = [metadata, platform_metadata]
