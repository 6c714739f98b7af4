"""The booking bench's clinic, made through the catalog API as an admin, like the tests do."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx

from clinic_bench.deadline import BenchFailure
from clinic_platform.auth import issue_token
from clinic_platform.settings import ServiceSettings

API = "/api/v1/booking"
ZONE = "Asia/Taipei"  # UTC+8, no DST
PRACTITIONERS, PATIENTS = 20, 200
DAYS, FIRST_SLOT, SLOTS = 10, time(9, 0), 16  # 16 half-hour starts, 09:00 … 16:30 local
DURATION, BUFFER_BEFORE, BUFFER_AFTER = 30, 5, 5


def headers(settings: ServiceSettings, tenant_id: UUID, subject: str, role: str) -> dict[str, str]:
    """Authorization for one principal of the tenant."""
    token = issue_token(settings, subject=subject, tenant_id=tenant_id, roles=[role])
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Clinic:
    """One tenant: a location, its practitioners and patients, one appointment type."""

    tenant_id: UUID
    location_id: str = ""
    type_id: str = ""
    practitioners: list[str] = field(default_factory=list)
    patients: list[str] = field(default_factory=list)
    days: list[date] = field(default_factory=list)  # the load's candidate days
    warmup_day: date = date.min  # the day after them: warm-up bookings, no conflicts

    def start(self, day: date, slot: int) -> str:
        """The ISO instant of half-hour `slot` on local `day`."""
        local = datetime.combine(day, FIRST_SLOT, ZoneInfo(ZONE)) + timedelta(minutes=30 * slot)
        return local.isoformat()

    def body(self, practitioner: int, start_at: str, patient: int) -> dict[str, Any]:
        """A booking request of one practitioner for one patient."""
        return {
            "appointment_type_id": self.type_id,
            "location_id": self.location_id,
            "practitioner_ids": [self.practitioners[practitioner]],
            "start_at": start_at,
            "patient_id": self.patients[patient],
        }


def weekdays(count: int, after: date) -> list[date]:
    """The first `count` Monday-Friday dates after `after`."""
    found: list[date] = []
    day = after
    while len(found) < count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            found.append(day)
    return found


async def _create(client: httpx.AsyncClient, admin: dict[str, str], path: str, body: Any) -> str:
    response = await client.post(f"{API}{path}", json=body, headers=admin)
    if response.status_code != 201:
        raise BenchFailure(f"seeding {path}: {response.status_code} {response.text[:300]}")
    return str(response.json()["id"])


async def seed(client: httpx.AsyncClient, settings: ServiceSettings) -> Clinic:
    """Location, 20 active practitioners, one 30-minute type (buffers 5/5), 200 patients."""
    clinic = Clinic(tenant_id=uuid4())
    admin = headers(settings, clinic.tenant_id, "bench-admin", "admin")
    clinic.location_id = await _create(
        client, admin, "/locations", {"name": "Bench clinic", "timezone": ZONE}
    )
    gate = asyncio.Semaphore(10)

    async def create(path: str, body: dict[str, Any]) -> str:
        async with gate:
            return await _create(client, admin, path, body)

    clinic.practitioners = list(
        await asyncio.gather(
            *(
                create(
                    "/practitioners",
                    {
                        "display_name": f"Dr. Bench {i:02d}",
                        "status": "active",
                        "location_ids": [clinic.location_id],
                    },
                )
                for i in range(PRACTITIONERS)
            )
        )
    )
    clinic.type_id = await _create(
        client,
        admin,
        "/appointment-types",
        {
            "slug": "bench-consultation",
            "name": "Consultation",
            "duration_minutes": DURATION,
            "buffer_before_minutes": BUFFER_BEFORE,
            "buffer_after_minutes": BUFFER_AFTER,
            "min_notice_minutes": 0,
            "max_future_days": 60,
            "price": "40.00",
            "currency": "TWD",
        },
    )
    clinic.patients = list(
        await asyncio.gather(
            *(
                create(
                    "/patients",
                    {"name": f"Patient {i:03d}", "email": f"patient{i:03d}@example.org"},
                )
                for i in range(PATIENTS)
            )
        )
    )
    *clinic.days, clinic.warmup_day = weekdays(DAYS + 1, datetime.now(ZoneInfo(ZONE)).date())
    return clinic
