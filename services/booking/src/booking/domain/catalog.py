"""The catalog as plain data, and the rules that span fields or rows.

A `…Spec` is the writable state of an entity with its field rules; the entity adds identity and
lifecycle. Cross-field and cross-row rules are functions that raise a problem naming the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from clinic_contracts.events.catalog import ConsultationMode, PractitionerStatus
from clinic_contracts.primitives import CurrencyCode, IanaTimezone, Money
from clinic_platform.errors import Conflict, RuleViolation

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]
Specialty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Minutes = Annotated[int, Field(ge=0, le=366 * 24 * 60)]
DAY_MINUTES = 24 * 60


def _unique(values: list[UUID]) -> list[UUID]:
    if len(set(values)) != len(values):
        raise ValueError("each id may appear only once")
    return values


UniqueIds = Annotated[list[UUID], AfterValidator(_unique), Field(max_length=100)]


class Record(BaseModel):
    """Base of specs and entities: immutable values, validated on the way in."""

    model_config = ConfigDict(frozen=True)


class LocationSpec(Record):
    name: Name
    address: str = Field(default="", max_length=500)
    timezone: IanaTimezone
    active: bool = True


class PractitionerSpec(Record):
    display_name: Name
    bio: str | None = Field(default=None, max_length=5000)
    status: PractitionerStatus = PractitionerStatus.DRAFT
    location_ids: UniqueIds = Field(default_factory=list)
    specialties: list[Specialty] = Field(default_factory=list, max_length=50)


class RoomSpec(Record):
    location_id: UUID
    name: Name
    capacity: int = Field(default=1, ge=1, le=1000)
    virtual: bool = False


class EquipmentSpec(Record):
    location_id: UUID
    name: Name


class AppointmentTypeSpec(Record):
    slug: Slug
    name: Name
    duration_minutes: int = Field(ge=1, le=DAY_MINUTES)
    buffer_before_minutes: int = Field(default=0, ge=0, le=DAY_MINUTES)
    buffer_after_minutes: int = Field(default=0, ge=0, le=DAY_MINUTES)
    min_notice_minutes: Minutes = 0
    max_future_days: int = Field(default=90, ge=0, le=3 * 366)
    reschedule_limit: int = Field(default=2, ge=0, le=100)
    cancellation_notice_minutes: Minutes = 0
    consultation_mode: ConsultationMode = ConsultationMode.IN_PERSON
    price: Money
    currency: CurrencyCode
    default_room_id: UUID | None = None
    required_equipment_ids: UniqueIds = Field(default_factory=list)
    active: bool = True


class Lifecycle(Record):
    id: UUID
    created_at: datetime
    updated_at: datetime
    retired_at: datetime | None = None

    @property
    def retired(self) -> bool:
        """Retired entities stay readable (history) but are never bookable or editable."""
        return self.retired_at is not None


class Location(LocationSpec, Lifecycle):
    """A clinic site; all its rule times are local to `timezone`."""


class Practitioner(PractitionerSpec, Lifecycle):
    """A practitioner; only `active` ones are bookable, at `location_ids`."""


class Room(RoomSpec, Lifecycle):
    """A room at a location; capacity 1 means exclusive."""


class Equipment(EquipmentSpec, Lifecycle):
    """A single piece of equipment at a location (capacity one)."""


class AppointmentType(AppointmentTypeSpec, Lifecycle):
    """What can be booked, with its booking policies."""


def check_practitioner(
    spec: PractitionerSpec, previous: PractitionerStatus | None, locations: Sequence[Location]
) -> None:
    """Locations served must be live; active needs one; no return to draft once published."""
    _all_live(spec.location_ids, locations, "location_ids", "unknown_location")
    if spec.status is PractitionerStatus.ACTIVE and not spec.location_ids:
        raise RuleViolation(
            "An active practitioner must serve at least one location.",
            code="location_required",
            field="location_ids",
        )
    if previous not in (None, PractitionerStatus.DRAFT) and spec.status is PractitionerStatus.DRAFT:
        raise RuleViolation(
            f"A practitioner who was {previous} cannot go back to draft.",
            code="status_transition",
            field="status",
        )


def check_located(location_id: UUID, location: Location | None) -> None:
    """Rooms and equipment belong to a live location."""
    _all_live([location_id], [location] if location else [], "location_id", "unknown_location")


def check_appointment_type(
    spec: AppointmentTypeSpec, room: Room | None, equipment: Sequence[Equipment]
) -> None:
    """The room suits the mode, the equipment is where the room is, the window is not empty."""
    if spec.default_room_id is not None:
        _all_live([spec.default_room_id], [room] if room else [], "default_room_id", "unknown_room")
    _all_live(spec.required_equipment_ids, equipment, "required_equipment_ids", "unknown_equipment")
    if room is not None:
        _check_room_mode(spec.consultation_mode, room)
    sites = {item.location_id for item in equipment} | ({room.location_id} if room else set())
    if len(sites) > 1:
        raise RuleViolation(
            "The default room and all required equipment must be at one location.",
            code="equipment_elsewhere",
            field="required_equipment_ids",
        )
    horizon = (spec.max_future_days + 1) * DAY_MINUTES
    if spec.min_notice_minutes >= horizon:
        raise RuleViolation(
            "The minimum notice reaches past the last bookable day; nothing could be booked.",
            code="notice_beyond_horizon",
            field="min_notice_minutes",
        )


def _check_room_mode(mode: ConsultationMode, room: Room) -> None:
    if mode is ConsultationMode.PHONE:
        raise RuleViolation(
            "A phone consultation has no room.", code="room_not_allowed", field="default_room_id"
        )
    if room.virtual != (mode is ConsultationMode.VIDEO):
        kind = "a virtual" if mode is ConsultationMode.VIDEO else "a physical"
        raise RuleViolation(
            f"A {mode} appointment type needs {kind} room.",
            code="room_mode_mismatch",
            field="default_room_id",
        )


def _all_live(wanted: Sequence[UUID], found: Sequence[Lifecycle], field: str, code: str) -> None:
    live = {item.id for item in found if not item.retired}
    missing = [str(i) for i in wanted if i not in live]
    if missing:
        raise RuleViolation(
            f"Unknown or retired: {', '.join(missing)}.",
            code=code,
            field=field,
            extra={"ids": missing},
        )


def refuse_retired(entity: Lifecycle, kind: str) -> None:
    """A retired entity is history: it cannot be changed."""
    if entity.retired:
        raise Conflict(f"This {kind} is retired and cannot be changed.", code="retired")


def refuse_in_use(kind: str, users: int, by: str) -> None:
    """Retiring something still used by live rows would leave them unbookable."""
    if users:
        raise Conflict(
            f"This {kind} is still used by {users} live {by}; change or retire them first.",
            code=f"{kind.replace(' ', '_')}_in_use",
            extra={"used_by": by, "count": users},
        )
