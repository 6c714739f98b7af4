"""Patients as plain data: contact details (PII) and preferences, and the rules on them."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import Field

from booking.domain.catalog import Name, Record
from clinic_contracts.events.patients import ContactChannel
from clinic_contracts.primitives import E164Phone, EmailAddress, IanaTimezone, LanguageTag
from clinic_platform.errors import RuleViolation

PII_FIELDS = ("name", "email", "phone", "line_user_id")
"""Scrubbed on erasure, and never written to the (append-only) audit log."""


class PatientSpec(Record):
    name: Name
    email: EmailAddress | None = None
    phone: E164Phone | None = None
    line_user_id: str | None = Field(default=None, min_length=1, max_length=64)
    preferred_language: LanguageTag = "en"
    preferred_channel: ContactChannel = ContactChannel.EMAIL
    timezone: IanaTimezone | None = None


class Patient(PatientSpec):
    """A patient who has not been erased (erased patients are never loaded as entities)."""

    id: UUID
    created_at: datetime
    updated_at: datetime


_CONTACT_FOR = {
    ContactChannel.EMAIL: "email",
    ContactChannel.SMS: "phone",
    ContactChannel.LINE: "line_user_id",
}


def check_patient(spec: PatientSpec) -> None:
    """The preferred channel must have its contact detail, or reminders cannot reach anyone."""
    contact = _CONTACT_FOR[spec.preferred_channel]
    if getattr(spec, contact) is None:
        raise RuleViolation(
            f"Preferred channel {spec.preferred_channel} needs {contact}.",
            code="channel_contact_missing",
            field="preferred_channel",
        )


def redacted(patient: Patient) -> dict[str, object]:
    """What the audit log may keep of a patient: preferences, and only *whether* PII is set."""
    state = patient.model_dump(exclude={"id", "created_at", "updated_at"})
    return {k: ("[redacted]" if k in PII_FIELDS and v is not None else v) for k, v in state.items()}


def changed_fields(before: Patient, after: Patient) -> list[str]:
    """Names of the fields an update changed (values stay out of the audit log)."""
    return sorted(k for k in PatientSpec.model_fields if getattr(before, k) != getattr(after, k))
