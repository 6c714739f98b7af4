"""The whole schema of the schedules database: what migrations compare and rebuilds refill."""

from clinic_platform.store.platform_tables import platform_metadata
from schedules.store import occupancy, tables

# Importing the modules defines their tables on the shared `metadata`.
TARGET_METADATA = [tables.metadata, platform_metadata]

# Tables derived only from consumed topics: a rebuild empties and refills them by replaying.
REPLICA_TABLES = (
    tables.locations.name,
    tables.practitioners.name,
    tables.appointment_types.name,
    tables.rooms.name,
    tables.equipment.name,
    tables.booked_intervals.name,
    tables.busy_windows.name,
    tables.busy_intervals.name,
)
REBUILT_TABLES = (*REPLICA_TABLES, occupancy.occupancy_facts.name)
