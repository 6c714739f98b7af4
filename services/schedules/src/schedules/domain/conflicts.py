"""Which booked appointments a rule change leaves outside effective availability.

An appointment is inside when one window of effective availability (for its own appointment type,
so a type-restricted exception counts only for that type) holds it whole. A change "leaves it
outside" only when it was inside under the rules before the change and is not under the rules
after: appointments that were already outside are not the change's doing.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from schedules.domain.engine import effective_windows
from schedules.domain.model import ScheduleRules
from schedules.domain.query import UtcRange, Window

Place = tuple[UUID, UUID]  # (practitioner_id, location_id), the key of `load_rules`


@dataclass(frozen=True, slots=True)
class BookedAppointment:
    """A future booked appointment as the rules judge it: who, where, which type, when (UTC)."""

    appointment_id: UUID
    practitioner_ids: tuple[UUID, ...]
    location_id: UUID
    appointment_type_id: UUID
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Affected:
    """An appointment the change leaves outside the availability of one of its practitioners."""

    appointment: BookedAppointment
    practitioner_id: UUID


def inside(
    rules: Mapping[Place, ScheduleRules],
    appointments: Iterable[BookedAppointment],
    practitioner_ids: Collection[UUID],
) -> set[tuple[UUID, UUID]]:
    """(appointment id, practitioner id) pairs whose appointment lies inside one window."""
    groups: dict[tuple[UUID, UUID, UUID], list[BookedAppointment]] = defaultdict(list)
    for item in appointments:
        for practitioner_id in item.practitioner_ids:
            if practitioner_id in practitioner_ids:
                key = (practitioner_id, item.location_id, item.appointment_type_id)
                groups[key].append(item)
    found: set[tuple[UUID, UUID]] = set()
    for (practitioner_id, location_id, type_id), items in groups.items():
        place = rules.get((practitioner_id, location_id))
        if place is None:  # no placement there: nothing is ever inside
            continue
        span = UtcRange(min(i.start for i in items), max(i.end for i in items))
        windows = effective_windows(place, span, type_id)
        starts = [w.start for w in windows]
        found.update(
            (item.appointment_id, practitioner_id) for item in items if _held(windows, starts, item)
        )
    return found


def _held(windows: list[Window], starts: list[datetime], item: BookedAppointment) -> bool:
    # Windows are sorted and disjoint: only the last one starting at or before it can hold it.
    index = bisect_right(starts, item.start) - 1
    return index >= 0 and item.end <= windows[index].end


def newly_outside(
    before: Mapping[Place, ScheduleRules],
    after: Mapping[Place, ScheduleRules],
    appointments: Collection[BookedAppointment],
    practitioner_ids: Collection[UUID],
) -> list[Affected]:
    """Appointments inside before and outside after, once each, in order of start."""
    lost = inside(before, appointments, practitioner_ids) - inside(
        after, appointments, practitioner_ids
    )
    found = []
    for item in appointments:
        # Named after the first of its practitioners whose availability it lost.
        who = next((p for p in item.practitioner_ids if (item.appointment_id, p) in lost), None)
        if who is not None:
            found.append(Affected(item, who))
    return sorted(found, key=lambda a: (a.appointment.start, str(a.appointment.appointment_id)))
