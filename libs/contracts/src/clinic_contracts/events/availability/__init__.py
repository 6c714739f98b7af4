"""``schedules.availability.v1``: the layers of availability rules that schedules owns.

Keyed by practitioner id; the location-level events (clinic hours, holidays) by location id.
Rule times are local wall-clock times in the location's IANA zone; instants are UTC.
"""

from clinic_contracts.events.availability.absences import (
    BlockKind,
    ForcedBlockChanged,
    HolidayChanged,
    LeaveApproved,
    LeaveCancelled,
    LeaveRejected,
    LeaveRequested,
)
from clinic_contracts.events.availability.common import TOPIC, AvailabilityEvent
from clinic_contracts.events.availability.conflicts import (
    AffectedAppointment,
    AppointmentsMarkedOutsideHours,
    OutsideHoursCause,
)
from clinic_contracts.events.availability.overrides import (
    ExceptionCreated,
    ExceptionDeleted,
    ExceptionKind,
    ExceptionUpdated,
)
from clinic_contracts.events.availability.templates import (
    ClinicHoursChanged,
    DateOverride,
    WeekdayHours,
    WeeklyInterval,
    WeeklyScheduleReplaced,
)
from clinic_contracts.events.base import EventPayload

PAYLOADS: tuple[type[EventPayload], ...] = (
    WeeklyScheduleReplaced,
    ClinicHoursChanged,
    ExceptionCreated,
    ExceptionUpdated,
    ExceptionDeleted,
    LeaveRequested,
    LeaveApproved,
    LeaveRejected,
    LeaveCancelled,
    HolidayChanged,
    ForcedBlockChanged,
    AppointmentsMarkedOutsideHours,
)

__all__ = [
    "PAYLOADS",
    "TOPIC",
    "AffectedAppointment",
    "AppointmentsMarkedOutsideHours",
    "AvailabilityEvent",
    "BlockKind",
    "ClinicHoursChanged",
    "DateOverride",
    "ExceptionCreated",
    "ExceptionDeleted",
    "ExceptionKind",
    "ExceptionUpdated",
    "ForcedBlockChanged",
    "HolidayChanged",
    "LeaveApproved",
    "LeaveCancelled",
    "LeaveRejected",
    "LeaveRequested",
    "OutsideHoursCause",
    "WeekdayHours",
    "WeeklyInterval",
    "WeeklyScheduleReplaced",
]
