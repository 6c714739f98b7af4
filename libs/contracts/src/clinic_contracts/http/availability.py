"""Booking asks schedules whether an interval lies inside a practitioner's working hours.

``GET /api/v1/schedules/availability/check?practitioner_id=&location_id=&start=&end=``

Schedules answers ``200`` with a :class:`CheckAnswer`; booking parses it with the same model and
reads a 404 problem whose ``code`` is in :data:`NOT_YET_KNOWN` as "schedules runs but has not
yet seen this practitioner or placement" (its replica of booking's catalog is behind), any
other 404 as "no schedules service answers here". Both services import this module, so neither
can change the call without the other's tests seeing it.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from clinic_contracts.edge import SupportedInstant

CHECK_PATH = "/api/v1/schedules/availability/check"
"""Where schedules serves the check (behind the gateway and on the service itself)."""

PRACTITIONER_NOT_FOUND = "practitioner_not_found"
"""404 problem code: schedules has no (unretired) practitioner with that id."""
LOCATION_NOT_FOUND = "location_not_found"
"""404 problem code: schedules does not know the location, or the practitioner works elsewhere."""
NOT_YET_KNOWN: frozenset[str] = frozenset({PRACTITIONER_NOT_FOUND, LOCATION_NOT_FOUND})
"""The 404 codes meaning "not known yet": booking waits for schedules to catch up, then 503s."""


class CheckQuery(BaseModel):
    """The query parameters of the check."""

    model_config = ConfigDict(frozen=True)

    practitioner_id: UUID = Field(description="The practitioner whose hours are asked about.")
    location_id: UUID = Field(description="The location, whose clinic hours and zone apply.")
    start: SupportedInstant = Field(description="Start of the interval, with its UTC offset.")
    end: SupportedInstant = Field(description="End of the interval (exclusive), after start.")
    include_occupancy: bool = Field(
        default=False,
        description="Also count bookings, live holds and external busy time (rules only if not).",
    )
    appointment_type_id: UUID | None = Field(
        default=None,
        description="With include_occupancy: widen the interval by this type's buffers.",
    )

    def params(self) -> dict[str, str]:
        """As query parameters: instants in ISO 8601 with offset; defaults left out."""
        return {
            name: _text(value) for name, value in self.model_dump(exclude_defaults=True).items()
        }


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CheckAnswer(BaseModel):
    """Booking's question answered: bookable or not, the deciding rule, every reason."""

    # Schedules always sends all three (its response schema says so: defaults count as required
    # there), yet a reader tolerates a missing `reasons`, since booking needs only the verdict
    # and the rule; unknown fields are ignored, so schedules may add some.
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)

    bookable: bool = Field(description="Whether [start, end) lies inside the availability.")
    rule: str = Field(
        description="When bookable: weekly_schedule or exception_available; else the "
        "highest-priority reason."
    )
    reasons: list[str] = Field(
        default_factory=list, description="Every reason the interval is not bookable."
    )
