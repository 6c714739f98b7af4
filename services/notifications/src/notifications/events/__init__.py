"""Consumed event types → handlers (publications go through the outbox, not here)."""

from clinic_contracts import (
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    LocationRetired,
    LocationUpserted,
    PatientErased,
    PatientUpserted,
    PractitionerRetired,
    PractitionerUpserted,
)
from clinic_platform.inbox import EventHandler
from notifications.domain.reactions import REACTIONS
from notifications.events import catalog, patients
from notifications.events.appointments import on_appointment

HANDLERS: dict[str, EventHandler] = {
    PatientUpserted.event_type: patients.on_patient_upserted,
    PatientErased.event_type: patients.on_patient_erased,
    LocationUpserted.event_type: catalog.on_location_upserted,
    LocationRetired.event_type: catalog.on_location_retired,
    PractitionerUpserted.event_type: catalog.on_practitioner_upserted,
    PractitionerRetired.event_type: catalog.on_practitioner_retired,
    AppointmentTypeUpserted.event_type: catalog.on_appointment_type_upserted,
    AppointmentTypeRetired.event_type: catalog.on_appointment_type_retired,
    **{kind.event_type: on_appointment for kind in REACTIONS},
}
