"""``booking.patients.v1``: patients' contact details and preferences (PII, access-restricted).

Compacted and keyed by patient id. ``PatientErased`` carries no PII, so once it is the latest
record for a key, compaction removes every earlier record of that patient from the log.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from clinic_contracts.events.base import EventPayload, with_examples
from clinic_contracts.primitives import (
    E164Phone,
    EmailAddress,
    IanaTimezone,
    LanguageTag,
    UtcDatetime,
)

TOPIC = "booking.patients.v1"
PATIENT = "9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f"


class ContactChannel(StrEnum):
    """Channel a patient prefers for confirmations and reminders."""

    EMAIL = "email"
    SMS = "sms"
    LINE = "line"


class PatientUpserted(EventPayload):
    """A patient's contact details or preferences were created or changed (full state)."""

    event_type: ClassVar[str] = "clinic.booking.patient.upserted.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "patient_id"
    model_config = with_examples(
        {
            "patient_id": PATIENT,
            "name": "Chen Mei-Ling",
            "email": "meiling@example.org",
            "phone": "+886912345678",
            "line_user_id": "U4af4980629",
            "preferred_language": "zh-Hant",
            "preferred_channel": "line",
            "timezone": "Asia/Taipei",
        }
    )

    patient_id: UUID = Field(description="Id of the patient; the message key.")
    name: str = Field(min_length=1, max_length=200, description="Full name as the patient gave it.")
    email: EmailAddress | None = Field(default=None, description="Email address, if known.")
    phone: E164Phone | None = Field(default=None, description="Mobile number in E.164 form.")
    line_user_id: str | None = Field(
        default=None, max_length=64, description="LINE user id for LINE messages, if linked."
    )
    preferred_language: LanguageTag = Field(description="BCP 47 tag, e.g. 'en' or 'zh-Hant'.")
    preferred_channel: ContactChannel = Field(description="Channel for patient notifications.")
    timezone: IanaTimezone | None = Field(
        default=None, description="Patient's own IANA zone; None means the location's zone."
    )


class PatientErased(EventPayload):
    """A patient's personal data was erased on request; replicas must delete their copy."""

    event_type: ClassVar[str] = "clinic.booking.patient.erased.v1"
    topic: ClassVar[str] = TOPIC
    key_field: ClassVar[str] = "patient_id"
    model_config = with_examples({"patient_id": PATIENT, "erased_at": "2025-03-01T08:00:00Z"})

    patient_id: UUID = Field(description="Id of the erased patient; the message key.")
    erased_at: UtcDatetime = Field(description="When the erasure took effect, UTC.")


PAYLOADS: tuple[type[EventPayload], ...] = (PatientUpserted, PatientErased)
