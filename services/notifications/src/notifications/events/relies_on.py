"""What notifications reads of others' events, and as what: its consumer contract.

`python -m clinic_contracts.consumers` checks it against booking's current models and committed
schemas. `tests/unit/test_relies_on.py` keeps it equal to `HANDLERS`, and the integration tests
run every handler on payloads holding only the fields declared here.

Appointment events are also relayed whole to a clinic's webhook (`service/planning.py`): that
passes on the published schema itself, which `export --check`'s BACKWARD check guards; what is
declared below is what notifications itself reads.
"""

from datetime import datetime
from typing import Literal
from uuid import UUID

from clinic_contracts import (
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentCompleted,
    AppointmentConfirmed,
    AppointmentDeclined,
    AppointmentFlaggedOutsideHours,
    AppointmentNoShow,
    AppointmentRescheduled,
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    LocationRetired,
    LocationUpserted,
    PatientErased,
    PatientUpserted,
    PractitionerRetired,
    PractitionerUpserted,
)
from clinic_contracts.consumers import ConsumerContract, FieldTypes, reads

# The replica of each appointment and the context of every message about it.
APPOINTMENT: FieldTypes = {
    "appointment_id": UUID,
    "patient_id": UUID,
    "practitioner_id": UUID,
    "location_id": UUID,
    "appointment_type_id": UUID,
    "start": datetime,
    "end": datetime,
    "status": str,
}
PLAIN_APPOINTMENT_EVENTS = (
    AppointmentBooked,
    AppointmentConfirmed,
    AppointmentCompleted,
    AppointmentNoShow,
)

RELIES_ON = ConsumerContract(
    "notifications",
    (
        reads(
            PatientUpserted,
            patient_id=UUID,
            name=str,
            email=str | None,
            phone=str | None,
            line_user_id=str | None,
            preferred_language=str,
            # The dispatcher sends on the preferred channel: these are the ones it can reach a
            # patient on (another value would stop it choosing a channel at all).
            preferred_channel=Literal["email", "sms", "line"],
            timezone=str | None,
        ),
        reads(PatientErased, patient_id=UUID),
        reads(LocationUpserted, location_id=UUID, name=str, address=str, timezone=str),
        reads(LocationRetired, location_id=UUID),
        reads(PractitionerUpserted, practitioner_id=UUID, display_name=str),
        reads(PractitionerRetired, practitioner_id=UUID),
        reads(AppointmentTypeUpserted, appointment_type_id=UUID, name=str),
        reads(AppointmentTypeRetired, appointment_type_id=UUID),
        *(reads(kind, **APPOINTMENT) for kind in PLAIN_APPOINTMENT_EVENTS),
        reads(AppointmentRescheduled, previous_start=datetime, **APPOINTMENT),
        reads(AppointmentCancelled, reason=str, cancelled_by=str, **APPOINTMENT),
        reads(AppointmentDeclined, reason=str | None, **APPOINTMENT),
        reads(AppointmentFlaggedOutsideHours, decided_by=str, **APPOINTMENT),
    ),
)
