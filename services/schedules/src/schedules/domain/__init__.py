"""The schedules service's pure rules: plain data and functions, no I/O."""

from schedules.domain.engine import available_slots, effective_windows
from schedules.domain.model import (
    AvailabilityException,
    BookedInterval,
    BusyInterval,
    ClinicHours,
    ClinicInterval,
    ClinicOverride,
    ForcedBlock,
    Holiday,
    Leave,
    ScheduleRules,
    WeeklyInterval,
)
from schedules.domain.query import DateRange, Slot, SlotQuery, UtcRange, Window

__all__ = [
    "AvailabilityException",
    "BookedInterval",
    "BusyInterval",
    "ClinicHours",
    "ClinicInterval",
    "ClinicOverride",
    "DateRange",
    "ForcedBlock",
    "Holiday",
    "Leave",
    "ScheduleRules",
    "Slot",
    "SlotQuery",
    "UtcRange",
    "WeeklyInterval",
    "Window",
    "available_slots",
    "effective_windows",
]
