"""The conflict guard around a rule change: warn about future appointments it leaves outside.

The change runs inside the caller's transaction between two loads of the engine's rules, so
"before" and "after" are judged by the same engine the slots come from. When appointments that
were inside are now outside, the request answers 409 and the transaction rolls back, unless it
was confirmed: then each of them is marked (at its current times) and one
`AppointmentsMarkedOutsideHours` per practitioner is recorded with the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from clinic_contracts import AffectedAppointment, AppointmentsMarkedOutsideHours, OutsideHoursCause
from clinic_platform.errors import ConfirmationRequired
from schedules.domain.conflicts import Affected, BookedAppointment, newly_outside
from schedules.service.rules.context import RulesContext
from schedules.store import rule_records as records
from schedules.store.rules import load_rules, location_zones

T = TypeVar("T")
OUTSIDE_HOURS = "appointments_outside_hours"  # weekly schedule, clinic hours, holidays
CONFLICTS = "appointment_conflicts"  # exceptions, leave approval, forced blocks
_LIST_KEY = {OUTSIDE_HOURS: "affected_appointments", CONFLICTS: "conflicting_appointments"}


@dataclass(frozen=True, slots=True)
class Reach:
    """Whose future appointments a change can touch: practitioners (None: everyone with
    appointments at the location), a location (None: all of theirs) and a UTC span."""

    practitioner_ids: tuple[UUID, ...] | None
    location_id: UUID | None = None
    between: tuple[datetime, datetime] | None = None


@dataclass(frozen=True, slots=True)
class Marking:
    """How a kind of change warns and marks: the problem code and the marks' cause."""

    code: str
    cause: OutsideHoursCause
    rule_id: UUID | None = None


async def guarded(
    ctx: RulesContext,
    reach: Reach,
    marking: Marking,
    confirm: bool,
    apply: Callable[[], Awaitable[T]],
) -> T:
    """Run `apply`; refuse (409) or, confirmed, mark what it leaves outside effective hours."""
    session = ctx.session
    booked = await records.future_appointments(
        session,
        ctx.now,
        practitioner_ids=reach.practitioner_ids,
        location_id=reach.location_id,
        between=reach.between,
    )
    if not booked:
        return await apply()
    who = reach.practitioner_ids or tuple({p for a in booked for p in a.practitioner_ids})
    # UTC dates one day wider hold every local date of these instants, whatever the zone.
    first = min(a.start for a in booked).astimezone(UTC).date() - timedelta(days=1)
    last = max(a.end for a in booked).astimezone(UTC).date() + timedelta(days=1)
    before = await load_rules(session, who, first, last, location_id=reach.location_id)
    result = await apply()
    after = await load_rules(session, who, first, last, location_id=reach.location_id)
    affected = newly_outside(before, after, booked, who)
    if affected:
        zones = await location_zones(session, {a.appointment.location_id for a in affected})
        if not confirm:
            raise _confirmation_required(marking.code, affected, zones)
        await _mark(ctx, marking, affected)
    return result


async def _mark(ctx: RulesContext, marking: Marking, affected: Sequence[Affected]) -> None:
    await records.mark_outside_hours(
        ctx.session, ctx.tenant_id, affected, marking.cause, marking.rule_id, ctx.actor_id
    )
    per: dict[UUID, list[BookedAppointment]] = defaultdict(list)
    for item in affected:
        per[item.practitioner_id].append(item.appointment)
    for practitioner_id, items in per.items():
        event = AppointmentsMarkedOutsideHours(
            practitioner_id=practitioner_id,
            cause=marking.cause,
            rule_id=marking.rule_id,
            confirmed_by=ctx.actor_id,
            appointments=[
                AffectedAppointment(appointment_id=a.appointment_id, start=a.start, end=a.end)
                for a in items
            ],
        )
        ctx.uow.record(event, subject=f"practitioners/{practitioner_id}")


def _confirmation_required(
    code: str, affected: Sequence[Affected], zones: dict[UUID, ZoneInfo]
) -> ConfirmationRequired:
    listed = [_shown(item, zones.get(item.appointment.location_id)) for item in affected]
    return ConfirmationRequired(
        f"{len(listed)} booked appointment(s) would be left outside effective availability; "
        "they stay booked. Repeat the request with confirm=true to apply it and mark them "
        "outside hours.",
        code=code,
        extra={"warning": code, "details": {_LIST_KEY[code]: listed}},
    )


def _shown(item: Affected, zone: ZoneInfo | None) -> dict[str, object]:
    """An affected appointment as the warning lists it: ids, UTC instants, local date and time."""
    a = item.appointment
    shown: dict[str, object] = {
        "appointment_id": str(a.appointment_id),
        "practitioner_id": str(item.practitioner_id),
        "location_id": str(a.location_id),
        "start": a.start.astimezone(UTC).isoformat(),
        "end": a.end.astimezone(UTC).isoformat(),
    }
    if zone is not None:
        start, end = a.start.astimezone(zone), a.end.astimezone(zone)
        shown |= {
            "timezone": zone.key,
            "date": start.date().isoformat(),
            "time": f"{start:%H:%M}-{end:%H:%M}",
            "local_start": start.isoformat(),
            "local_end": end.isoformat(),
        }
    return shown
