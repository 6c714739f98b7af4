"""Consumed event types → handlers (publications go through the outbox, not here)."""

from sqlalchemy.ext.asyncio import AsyncSession

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
    EquipmentRetired,
    EquipmentUpserted,
    HoldReleased,
    LocationRetired,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
    RoomRetired,
    RoomUpserted,
)
from clinic_platform.inbox import EventHandler, ReceivedEvent
from schedules.events import catalog, occupancy, occupations
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


def in_turn(*handlers: EventHandler) -> EventHandler:
    """One handler that runs `handlers` in order in the event's one inbox transaction."""

    async def handle(session: AsyncSession, event: ReceivedEvent) -> None:
        for handler in handlers:
            await handler(session, event)

    return handle


# Appointment events feed both the booked-interval replica and the occupancy projection.
ON_APPOINTMENT = in_turn(occupations.on_appointment, occupancy.on_appointment)

HANDLERS: dict[str, EventHandler] = {
    LocationUpserted.event_type: catalog.on_location_upserted,
    LocationRetired.event_type: catalog.on_location_retired,
    PractitionerUpserted.event_type: catalog.on_practitioner_upserted,
    PractitionerRetired.event_type: catalog.on_practitioner_retired,
    AppointmentTypeUpserted.event_type: catalog.on_appointment_type_upserted,
    AppointmentTypeRetired.event_type: catalog.on_appointment_type_retired,
    RoomUpserted.event_type: catalog.on_room_upserted,
    RoomRetired.event_type: catalog.on_room_retired,
    EquipmentUpserted.event_type: catalog.on_equipment_upserted,
    EquipmentRetired.event_type: catalog.on_equipment_retired,
    AppointmentHeld.event_type: occupations.on_held,
    HoldReleased.event_type: occupations.on_hold_released,
    **{kind.event_type: ON_APPOINTMENT for kind in APPOINTMENT_EVENTS},
    BusyTimesReplaced.event_type: on_busy_times_replaced,
}
