"""Real contract events for the chassis's tests."""

from __future__ import annotations

from uuid import UUID, uuid4

from clinic_contracts import PractitionerStatus, PractitionerUpserted


def practitioner_event(
    practitioner_id: UUID | None = None, name: str = "Dr. Lin"
) -> PractitionerUpserted:
    """A catalog event keyed by the practitioner id."""
    return PractitionerUpserted(
        practitioner_id=practitioner_id or uuid4(),
        display_name=name,
        status=PractitionerStatus.ACTIVE,
        location_ids=[uuid4()],
        specialties=["physiotherapy"],
    )
