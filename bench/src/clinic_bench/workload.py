"""Realistic appointment events: many tenants, several hundred practitioners as message keys."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from clinic_contracts import AppointmentBooked, AppointmentConfirmed

TENANTS = 40
PRACTITIONERS_PER_TENANT = 10  # 400 distinct message keys


@dataclass
class Clinics:
    """The bench's tenants, each with its practitioners and locations."""

    practitioners: dict[UUID, list[UUID]] = field(default_factory=dict)
    locations: dict[UUID, UUID] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    @classmethod
    def create(cls) -> Clinics:
        """Fresh random tenant ids, so runs never collide on a shared broker."""
        clinics = cls()
        for _ in range(TENANTS):
            tenant = uuid4()
            clinics.practitioners[tenant] = [uuid4() for _ in range(PRACTITIONERS_PER_TENANT)]
            clinics.locations[tenant] = uuid4()
        return clinics

    @property
    def tenants(self) -> list[UUID]:
        """Every tenant id."""
        return list(self.practitioners)

    def tenant_ids(self) -> set[str]:
        """Tenant ids as they appear in the `ce_tenantid` header."""
        return {str(t) for t in self.practitioners}

    def booked(self, tenant: UUID) -> AppointmentBooked:
        """A pending appointment with one of `tenant`'s practitioners."""
        return AppointmentBooked.model_validate(self._fields(tenant) | {"status": "pending"})

    def confirmed(self, tenant: UUID) -> AppointmentConfirmed:
        """A confirmation; its `appointment_id` identifies it in the latency bench."""
        return AppointmentConfirmed.model_validate(self._fields(tenant) | {"status": "confirmed"})

    def _fields(self, tenant: UUID) -> dict[str, object]:
        practitioner = self.rng.choice(self.practitioners[tenant])
        start = datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(
            minutes=15 * self.rng.randrange(2000)
        )
        return {
            "practitioner_id": practitioner,
            "practitioner_ids": [practitioner],
            "location_id": self.locations[tenant],
            "appointment_type_id": uuid4(),
            "room_id": uuid4(),
            "start": start,
            "end": start + timedelta(minutes=45),
            "buffer_before_minutes": 5,
            "buffer_after_minutes": 10,
            "appointment_id": uuid4(),
            "patient_id": uuid4(),
        }
