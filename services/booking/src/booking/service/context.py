"""What every booking use case is given: the unit of work, the actor, settings and clients."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from booking.clients.schedules import WorkingHours
from booking.config import Settings
from clinic_platform.auth import Permission, Principal
from clinic_platform.errors import Forbidden
from clinic_platform.store.unit_of_work import UnitOfWork


@dataclass
class BookingContext:
    """One request's view of the world; `now` is fixed once so every rule sees the same instant."""

    uow: UnitOfWork
    actor: Principal
    settings: Settings
    hours: WorkingHours
    authorization: str | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def is_staff(self) -> bool:
        """Staff manage any appointment of the tenant (and get the longer hold)."""
        return self.actor.can(Permission.APPOINTMENTS_MANAGE)

    def may_override(self, requested: bool) -> bool:
        """Whether to skip notice and horizon rules: only when asked and allowed."""
        if not requested:
            return False
        if not self.actor.can(Permission.APPOINTMENTS_OVERRIDE_NOTICE):
            raise Forbidden(
                "overriding booking policies needs appointments.override_notice",
                code="missing_permission",
                extra={"missing_permissions": [Permission.APPOINTMENTS_OVERRIDE_NOTICE.value]},
            )
        return True
