"""Consumed event types → handlers (publications go through the outbox, not here)."""

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentDeclined,
    AppointmentFlaggedOutsideHours,
    AppointmentHeld,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    BusyTimesReplaced,
    HoldReleased,
    LocationRetired,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
)
from clinic_platform.inbox import EventHandler
from schedules.events import catalog, occupations
from schedules.events.busy import on_busy_times_replaced

APPOINTMENT_EVENTS = (
    AppointmentBooked,
    AppointmentConfirmed,
    AppointmentRescheduled,
    AppointmentCancelled,
    AppointmentDeclined,
    AppointmentCompleted,
    AppointmentNoShow,
    AppointmentFlaggedOutsideHours,
)

HANDLERS: dict[str, EventHandler] = {
    LocationUpserted.event_type: catalog.on_location_upserted,
    LocationRetired.event_type: catalog.on_location_retired,
    PractitionerUpserted.event_type: catalog.on_practitioner_upserted,
    PractitionerRetired.event_type: catalog.on_practitioner_retired,
    AppointmentTypeUpserted.event_type: catalog.on_appointment_type_upserted,
    AppointmentTypeRetired.event_type: catalog.on_appointment_type_retired,
    AppointmentHeld.event_type: occupations.on_held,
    HoldReleased.event_type: occupations.on_hold_released,
    **{kind.event_type: occupations.on_appointment for kind in APPOINTMENT_EVENTS},
    BusyTimesReplaced.event_type: on_busy_times_replaced,
}
