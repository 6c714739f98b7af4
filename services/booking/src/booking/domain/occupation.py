"""What an appointment occupies: resources over its interval widened by its buffers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID


class ResourceKind(StrEnum):
    """Kinds of resource an appointment occupies."""

    PRACTITIONER = "practitioner"
    ROOM = "room"
    EQUIPMENT = "equipment"


@dataclass(frozen=True)
class Resource:
    """One occupied resource; `capacity` > 1 only for rooms that take parallel sessions."""

    kind: ResourceKind
    id: UUID
    capacity: int = 1


@dataclass(frozen=True)
class Interval:
    """A half-open UTC interval [start, end)."""

    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        """True when the two share any instant."""
        return self.start < other.end and other.start < self.end


def blocked_interval(start: datetime, end: datetime, before_min: int, after_min: int) -> Interval:
    """The time an appointment keeps its resources: itself plus its type's buffers."""
    return Interval(start - timedelta(minutes=before_min), end + timedelta(minutes=after_min))


def resources_of(
    practitioner_ids: list[UUID], room: Resource | None, equipment_ids: list[UUID]
) -> list[Resource]:
    """Every resource an appointment occupies, practitioners first (lock order is stable)."""
    found = [Resource(ResourceKind.PRACTITIONER, p) for p in dict.fromkeys(practitioner_ids)]
    if room is not None:
        found.append(room)
    found += [Resource(ResourceKind.EQUIPMENT, e) for e in dict.fromkeys(equipment_ids)]
    return found
