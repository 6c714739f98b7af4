"""Consumed event types → handlers (publications go through the outbox, not here)."""

from booking.events.external_calendar import cancel_deleted_externally
from clinic_contracts import AppointmentDeletedExternally
from clinic_platform.inbox import EventHandler

HANDLERS: dict[str, EventHandler] = {
    AppointmentDeletedExternally.event_type: cancel_deleted_externally,
}
