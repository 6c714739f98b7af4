"""Tables of the booking service's own database (the outbox and inbox come from the platform)."""

from booking.store.tables import appointments, audit, catalog  # noqa: F401 - registers tables
from booking.store.tables.base import metadata
from clinic_platform.store.platform_tables import platform_metadata

TARGET_METADATA = [metadata, platform_metadata]
