"""The booking service on a fresh migrated database and the real broker, driven over HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
import pytest
from asgi_lifespan import LifespanManager
from psycopg import sql

from booking.app import MIGRATIONS, build_app
from booking.config import Settings
from booking.events import HANDLERS
from booking.events.relies_on import RELIES_ON
from clinic_contracts import CONSUMER_GROUPS, TOPICS
from clinic_platform.auth import issue_token
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.store.migrations import upgrade
from clinic_testkit.consumer_contracts import ReadGuard
from clinic_testkit.databases import DatabaseInfo, create_database, drop_database
from clinic_testkit.infrastructure import PostgresServer

pytestmark = pytest.mark.integration


@dataclass
class Booking:
    """A running booking app, its settings and a way to mint tokens for one tenant."""

    client: httpx.AsyncClient
    settings: Settings
    tenant_id: UUID
    database_url: str
    admin_url: str
    app: Any = None

    def headers(
        self,
        *roles: str,
        subject: str | None = None,
        tenant_id: UUID | None = None,
        practitioner_id: UUID | None = None,
        patient_id: UUID | None = None,
    ) -> dict[str, str]:
        """Authorization headers for a principal with `roles` in this (or another) tenant."""
        token = issue_token(
            self.settings,
            subject=subject or f"user-{uuid4().hex[:8]}",
            tenant_id=tenant_id or self.tenant_id,
            roles=list(roles),
            practitioner_id=practitioner_id,
            patient_id=patient_id,
        )
        return {"Authorization": f"Bearer {token}"}

    def written(self, tenant_id: UUID | None = None) -> dict[str, int]:
        """How many rows the tenant has in each table a request can write (to show that a
        refused request wrote nothing)."""
        tables = ("appointments", "occupations", "series", "audit_log", "clinic_outbox")
        tables += ("patients", "locations", "practitioners", "appointment_types", "rooms")
        tables += ("equipment",)
        with psycopg.connect(self.admin_url.replace("+psycopg", "")) as db:
            return {
                table: db.execute(
                    sql.SQL("SELECT count(*) FROM {} WHERE tenant_id = %s").format(
                        sql.Identifier(table)
                    ),
                    (tenant_id or self.tenant_id,),
                ).fetchone()[0]
                for table in tables
            }


@pytest.fixture(scope="session")
def read_guard() -> Iterator[ReadGuard]:
    """The handlers every app here is built from, fed only the fields `RELIES_ON` declares."""
    with ReadGuard(RELIES_ON).installed(HANDLERS) as guard:
        yield guard


@pytest.fixture(autouse=True)
def handlers_read_only_declared_fields(read_guard: ReadGuard) -> Iterator[None]:
    """Every flow a test here drives checks the consumer contract: a handler reading a field
    that events/relies_on.py does not declare fails the test that made it read it."""
    read_guard.undeclared.clear()
    yield
    assert read_guard.undeclared == [], "\n".join(map(str, read_guard.undeclared))


@pytest.fixture(scope="session")
def booking_topics(kafka_bootstrap: str) -> str:
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    return kafka_bootstrap


@pytest.fixture
def booking_settings_factory(
    fresh_database: Callable[..., Any], booking_topics: str
) -> Callable[..., tuple[Settings, Any]]:
    def make(**overrides: Any) -> tuple[Settings, Any]:
        database = fresh_database("booking")
        upgrade(MIGRATIONS, database.url)
        settings = Settings(
            **{
                "database_url": database.url,
                "kafka_bootstrap_servers": booking_topics,
                "schedules_url": None,
                **overrides,
            },
        )
        return settings, database

    return make


@asynccontextmanager
async def serving(settings: Settings, database: DatabaseInfo) -> AsyncIterator[Booking]:
    """The booking app on `database`, started, with a client and a fresh tenant."""
    app = build_app(settings)
    async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
        transport = httpx.ASGITransport(manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://booking") as client:
            yield Booking(client, settings, uuid4(), database.url, database.admin_url, app)


@pytest.fixture
async def booking(
    request: pytest.FixtureRequest,
    booking_settings_factory: Callable[..., tuple[Settings, Any]],
) -> AsyncIterator[Booking]:
    """The app; `@pytest.mark.booking_settings(**overrides)` changes its settings."""
    marker = request.node.get_closest_marker("booking_settings")
    overrides = dict(marker.kwargs) if marker else {}
    # Migrations run their own event loop, so they go to a thread.
    settings, database = await asyncio.to_thread(booking_settings_factory, **overrides)
    async with serving(settings, database) as running:
        yield running


@pytest.fixture(scope="module")
async def shared_booking(
    postgres_server: PostgresServer, booking_topics: str
) -> AsyncIterator[Booking]:
    """One app and database for a whole module of parametrised cases (tables stay fast); tests
    that share it keep apart by tenant or by the ids they create."""
    database = await asyncio.to_thread(create_database, postgres_server, "booking")
    try:
        await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
        settings = Settings(
            database_url=database.url, kafka_bootstrap_servers=booking_topics, schedules_url=None
        )
        async with serving(settings, database) as running:
            yield running
    finally:
        await asyncio.to_thread(drop_database, postgres_server, database)


API = "/api/v1/booking"
ZONE = "Asia/Taipei"  # UTC+8, no DST: local 10:00 is 02:00Z


@dataclass
class Clinic:
    """One tenant's catalog made through the API: a location, practitioners, a type, a room."""

    booking: Booking
    location_id: str
    practitioners: list[str]
    type_id: str
    room_id: str
    patient_id: str
    admin: dict[str, str]
    tenant_id: UUID | None = None  # None: the booking app's own tenant

    def headers(self, *roles: str, **claims: Any) -> dict[str, str]:
        """Authorization headers for a principal of this clinic's tenant."""
        return self.booking.headers(*roles, tenant_id=self.tenant_id, **claims)

    def at(self, days: int, hour: int, minute: int = 0) -> str:
        """An ISO instant `days` from today at local `hour:minute` in the clinic's zone."""
        from datetime import datetime, timedelta
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(ZONE)
        day = datetime.now(zone).date() + timedelta(days=days)
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()

    def body(self, start_at: str, practitioner: int = 0, **extra: Any) -> dict[str, Any]:
        """A booking request for one of the practitioners."""
        return {
            "appointment_type_id": self.type_id,
            "location_id": self.location_id,
            "practitioner_ids": [self.practitioners[practitioner]],
            "start_at": start_at,
            "patient_id": self.patient_id,
            **extra,
        }

    async def create(self, path: str, body: dict[str, Any]) -> str:
        """POST a catalog entity as admin and return its id."""
        response = await self.booking.client.post(f"{API}{path}", json=body, headers=self.admin)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def new_type(self, **policy: Any) -> str:
        """Another appointment type with the given policy fields."""
        return await self.create(
            "/appointment-types",
            {
                "slug": f"t-{uuid4().hex[:8]}",
                "name": "Consultation",
                "duration_minutes": 30,
                "price": "40.00",
                "currency": "TWD",
                "max_future_days": 60,
                "reschedule_limit": 2,
                **policy,
            },
        )


async def open_clinic(booking: Booking, tenant_id: UUID | None = None) -> Clinic:
    """A location, three practitioners, a room, a type and a patient, in `tenant_id`."""
    admin = booking.headers("admin", subject="admin-1", tenant_id=tenant_id)
    made = Clinic(booking, "", [], "", "", "", admin, tenant_id)
    made.location_id = await made.create("/locations", {"name": "Da'an", "timezone": ZONE})
    for name in ("Dr. Lin", "Dr. Chen", "Dr. Wang"):
        made.practitioners.append(
            await made.create(
                "/practitioners",
                {"display_name": name, "status": "active", "location_ids": [made.location_id]},
            )
        )
    made.room_id = await made.create(
        "/rooms", {"location_id": made.location_id, "name": "Room 1", "capacity": 1}
    )
    made.type_id = await made.new_type()
    made.patient_id = await made.create(
        "/patients",
        {
            "name": "Mei",
            "email": "mei@example.org",
            "preferred_language": "zh-Hant",
            "preferred_channel": "email",
        },
    )
    return made


@pytest.fixture
async def clinic(booking: Booking) -> Clinic:
    return await open_clinic(booking)


@pytest.fixture(scope="session")
def clinic_opener() -> Callable[..., Any]:
    """`open_clinic` for fixtures of a wider scope than `clinic` (e.g. over `shared_booking`)."""
    return open_clinic
