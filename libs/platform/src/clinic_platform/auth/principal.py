"""Who is calling: the verified identity a request acts as."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from clinic_platform.auth.permissions import permissions_for


@dataclass(frozen=True, slots=True)
class Principal:
    """A verified caller within one tenant; permissions follow from its roles."""

    subject: str
    tenant_id: UUID
    roles: frozenset[str]
    practitioner_id: UUID | None = None
    patient_id: UUID | None = None
    permissions: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived once: the role table is immutable, so a principal's grants cannot drift.
        object.__setattr__(self, "permissions", permissions_for(self.roles))

    def can(self, permission: str) -> bool:
        """Whether any of the caller's roles grants `permission`."""
        return permission in self.permissions

    def can_act_for_practitioner(
        self, permission_any: str, permission_own: str, practitioner_id: UUID
    ) -> bool:
        """`permission_any`, or `permission_own` when the practitioner is the caller."""
        if self.can(permission_any):
            return True
        return self.practitioner_id == practitioner_id and self.can(permission_own)

    def can_act_for_patient(
        self, permission_any: str, permission_own: str, patient_id: UUID
    ) -> bool:
        """`permission_any`, or `permission_own` when the patient is the caller."""
        if self.can(permission_any):
            return True
        return self.patient_id == patient_id and self.can(permission_own)
