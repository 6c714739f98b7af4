"""The demo clinic as plain data: what `make up` seeds, and who may sign in to it.

Seed 001's Dr. Chen works 09:00-12:00 and 14:00-18:00 Monday to Friday at a Taipei clinic, with
Monday evenings blocked every week; a second practitioner, two appointment types, three patients
with bookings in the coming days, and staff who exist only as token subjects (the platform keeps
no user directory: people are the subjects and roles of their tokens).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal
from uuid import UUID

DEMO_TENANT_ID = UUID("c11a1c00-de30-4000-8000-000000000001")

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
Interval = tuple[str, str]
"""Local wall-clock (start, end) as the rules API writes it, e.g. ("09:00", "12:00")."""
Week = MappingProxyType[Weekday, tuple[Interval, ...]]


def week(days: tuple[Weekday, ...], *intervals: Interval) -> Week:
    """The same intervals on each of `days`; other days have none."""
    return MappingProxyType(dict.fromkeys(days, intervals))


WEEKDAYS_MON_FRI: tuple[Weekday, ...] = WEEKDAYS[:5]


@dataclass(frozen=True)
class LocationSeed:
    name: str
    address: str
    timezone: str
    clinic_hours: Week


@dataclass(frozen=True)
class PractitionerSeed:
    key: str
    display_name: str
    bio: str
    specialties: tuple[str, ...]
    hours: Week


@dataclass(frozen=True)
class BlockedSeed:
    """A recurring blocked exception: `rrule` chooses local dates, blocked start to end."""

    practitioner: str
    rrule: str
    weekday: Weekday
    start: str
    end: str
    reason: str


@dataclass(frozen=True)
class TypeSeed:
    slug: str
    name: str
    duration_minutes: int
    price: str
    currency: str


@dataclass(frozen=True)
class PatientSeed:
    key: str
    name: str
    email: str
    preferred_language: str


@dataclass(frozen=True)
class BookingSeed:
    """A booking on the practitioner's `nth_day` working day from tomorrow, at the first free
    slot from `not_before` (local time)."""

    patient: str
    practitioner: str
    type_slug: str
    nth_day: int
    not_before: str


@dataclass(frozen=True)
class RoleSeed:
    """Who a development token speaks for; `practitioner` / `patient` name a seeded record."""

    role: str
    subject: str
    who: str
    practitioner: str | None = None
    patient: str | None = None


@dataclass(frozen=True)
class DemoClinic:
    tenant_id: UUID
    location: LocationSeed
    practitioners: tuple[PractitionerSeed, ...]
    blocked: tuple[BlockedSeed, ...]
    types: tuple[TypeSeed, ...]
    patients: tuple[PatientSeed, ...]
    bookings: tuple[BookingSeed, ...]
    roles: tuple[RoleSeed, ...] = field(default=())

    def role(self, name: str) -> RoleSeed:
        """The demo person holding `name`; KeyError listing the roles there are."""
        for seed in self.roles:
            if seed.role == name:
                return seed
        raise KeyError(f"no demo role {name!r}; roles: {', '.join(r.role for r in self.roles)}")


DEMO = DemoClinic(
    tenant_id=DEMO_TENANT_ID,
    location=LocationSeed(
        name="Da'an Family Clinic",
        address="No. 1, Sec. 4, Ren'ai Rd., Da'an Dist., Taipei",
        timezone="Asia/Taipei",
        clinic_hours=MappingProxyType(
            {
                **week(WEEKDAYS_MON_FRI, ("08:30", "19:00")),
                "saturday": (("09:00", "13:00"),),
            }
        ),
    ),
    practitioners=(
        PractitionerSeed(
            key="chen",
            display_name="Dr. Chen",
            bio="Family medicine; sees new patients and follow-ups.",
            specialties=("family medicine",),
            hours=week(WEEKDAYS_MON_FRI, ("09:00", "12:00"), ("14:00", "18:00")),
        ),
        PractitionerSeed(
            key="lin",
            display_name="Dr. Lin",
            bio="Internal medicine, three days a week.",
            specialties=("internal medicine",),
            hours=week(
                ("tuesday", "wednesday", "thursday"), ("10:00", "13:00"), ("14:00", "19:00")
            ),
        ),
    ),
    blocked=(
        BlockedSeed(
            practitioner="chen",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            weekday="monday",
            start="16:00",
            end="18:00",
            reason="Monday evenings: hospital rounds",
        ),
    ),
    types=(
        TypeSeed("first-visit", "First visit", 30, "800.00", "TWD"),
        TypeSeed("follow-up", "Follow-up", 15, "400.00", "TWD"),
    ),
    patients=(
        PatientSeed("alice", "Alice Wang", "alice.wang@example.org", "en"),
        PatientSeed("meiling", "陳美玲", "meiling.chen@example.org", "zh-Hant"),
        PatientSeed("kai", "Kai Lee", "kai.lee@example.org", "en"),
    ),
    bookings=(
        BookingSeed("alice", "lin", "follow-up", nth_day=1, not_before="10:00"),
        BookingSeed("meiling", "chen", "first-visit", nth_day=1, not_before="10:00"),
        BookingSeed("kai", "chen", "follow-up", nth_day=2, not_before="14:30"),
    ),
    roles=(
        RoleSeed("admin", "demo-admin", "the clinic's owner"),
        RoleSeed("clinic_manager", "demo-manager", "Grace Huang, clinic manager"),
        RoleSeed("receptionist", "demo-receptionist", "Amy Wu at the front desk"),
        RoleSeed("practitioner", "demo-dr-chen", "Dr. Chen", practitioner="chen"),
        RoleSeed("patient", "demo-patient-alice", "Alice Wang", patient="alice"),
        RoleSeed("ai_agent", "demo-ai-agent", "the clinic's booking assistant"),
    ),
)
