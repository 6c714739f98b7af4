"""What booking reads of others' events, and as what: its consumer contract.

`python -m clinic_contracts.consumers` checks it against calendar-sync's current models and
committed schemas. `tests/unit/test_relies_on.py` keeps it equal to `HANDLERS`, and the
integration tests run every handler on payloads holding only the fields declared here.
"""

from uuid import UUID

from clinic_contracts import AppointmentDeletedExternally
from clinic_contracts.consumers import ConsumerContract, reads

RELIES_ON = ConsumerContract(
    "booking",
    (
        # The appointment to cancel; the provider's event id names the actor in the audit log.
        reads(AppointmentDeletedExternally, appointment_id=UUID, external_event_id=str),
    ),
)
