"""The notifications app on a fresh migrated database and the real broker, with a real SMTP
server (aiosmtpd) and a real HTTP server playing the SMS / LINE / webhook providers."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from aiosmtpd.controller import Controller
from asgi_lifespan import LifespanManager

from clinic_contracts import (
    CONSUMER_GROUPS,
    TOPICS,
    AppointmentTypeUpserted,
    LocationUpserted,
    PatientUpserted,
    PractitionerUpserted,
)
from clinic_contracts.codec import KafkaMessage, encode
from clinic_contracts.events.base import EventPayload
from clinic_platform.auth import issue_token
from clinic_platform.provisioning import plan_topics, provision
from clinic_platform.runtime import Runtime
from clinic_platform.store.migrations import upgrade
from clinic_testkit.consumer_contracts import ReadGuard
from clinic_testkit.infrastructure import free_ports
from clinic_testkit.topic_reader import skip_group_to_end
from notifications.app import MIGRATIONS, build_app
from notifications.config import Settings
from notifications.events import HANDLERS
from notifications.events.relies_on import RELIES_ON

pytestmark = pytest.mark.integration
GROUP = "notifications"
API = "/api/v1/notifications"


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


class Inbox:
    """What the SMTP server accepted, parsed."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    async def wait_for(
        self, address: str, count: int = 1, timeout_s: float = 30
    ) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(self.to(address)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # the SMTP server runs in its own thread
        return self.to(address)


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_ports(1)[0]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Provider:
    """A real HTTP server recording requests; `statuses` are answered in turn (then 200)."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    always: int | None = None

    def on(self, path: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"] == path]

    async def wait_for(
        self, path: str, count: int = 1, timeout_s: float = 30
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and len(self.on(path)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.05)  # the HTTP server runs in its own thread
        return self.on(path)


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append(
                {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "raw": body,
                    "json": json.loads(body or b"null"),
                }
            )
            code = state.statuses.pop(0) if state.statuses else (state.always or 200)
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def notifications_topics(kafka_bootstrap: str) -> str:
    asyncio.run(provision([kafka_bootstrap], plan_topics(TOPICS, CONSUMER_GROUPS)))
    return kafka_bootstrap


@dataclass
class Feed:
    """Publishes contract events for one random tenant, with increasing envelope times."""

    producer: AIOKafkaProducer
    tenant_id: UUID = field(default_factory=uuid4)
    clock: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(minutes=5))

    def message(self, payload: EventPayload, *, time: datetime | None = None) -> KafkaMessage:
        if time is None:
            self.clock += timedelta(seconds=1)
            time = self.clock
        return encode(payload, source="/clinic/booking", tenantid=self.tenant_id, time=time)

    async def send(self, *messages: KafkaMessage) -> None:
        for message in messages:
            await self.producer.send_and_wait(
                message.topic, message.value, key=message.key, headers=message.headers
            )

    async def publish(self, *payloads: EventPayload) -> list[KafkaMessage]:
        messages = [self.message(payload) for payload in payloads]
        await self.send(*messages)
        return messages


@dataclass
class Service:
    """The running app, an HTTP client, tokens, the feed and the fakes' handles."""

    runtime: Runtime
    client: httpx.AsyncClient
    settings: Settings
    feed: Feed
    inbox: Inbox
    provider: Provider
    database_url: str
    provider_url: str

    def headers(self, *roles: str, tenant_id: UUID | None = None) -> dict[str, str]:
        token = issue_token(
            self.settings,
            subject=f"user-{uuid4().hex[:6]}",
            tenant_id=tenant_id or self.feed.tenant_id,
            roles=list(roles),
        )
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
async def service(
    fresh_database: Callable[..., Any],
    notifications_topics: str,
    smtp: tuple[Inbox, int],
    provider: tuple[Provider, str],
    settings_overrides: dict[str, Any],
) -> AsyncIterator[Service]:
    database = fresh_database("notifications")
    await asyncio.to_thread(upgrade, MIGRATIONS, database.url)
    for topic in CONSUMER_GROUPS[GROUP]:
        await skip_group_to_end(notifications_topics, GROUP, topic)
    settings = Settings(
        **{
            "database_url": database.url,
            "kafka_bootstrap_servers": notifications_topics,
            "smtp_port": smtp[1],
            "sms_base_url": provider[1],
            "sms_api_key": "sms-key",
            "line_base_url": provider[1],
            "line_channel_token": "line-token",
            "provider_timeout_s": 2.0,
            "delivery_retry_waits_s": (0.05, 0.1, 0.2),
            "dispatch_poll_interval_s": 0.05,
            "reminder_poll_interval_s": 0.2,
            **settings_overrides,
        }
    )
    app = build_app(settings)
    producer = AIOKafkaProducer(bootstrap_servers=notifications_topics)
    await producer.start()
    try:
        async with LifespanManager(app, startup_timeout=30, shutdown_timeout=30) as manager:
            transport = httpx.ASGITransport(manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
                yield Service(
                    app.state.runtime,
                    client,
                    settings,
                    Feed(producer),
                    smtp[0],
                    provider[0],
                    database.url,
                    provider[1],
                )
    finally:
        await producer.stop()


@dataclass
class Clinic:
    """One tenant's catalog and a patient, published on the catalog and patient topics."""

    location_id: UUID
    practitioner_id: UUID
    type_id: UUID
    patient_id: UUID
    email: str


Seed = Callable[..., Awaitable[Clinic]]


@pytest.fixture
def seed(service: Service) -> Seed:
    """`await seed(zone=…, language=…, channel=…)`: a tenant catalog and patient, published."""
    return lambda **kw: _seed(service, **kw)


async def _seed(
    service: Service,
    *,
    zone: str = "Asia/Taipei",
    language: str = "zh-Hant",
    channel: str = "email",
    patient_zone: str | None = None,
) -> Clinic:
    """Publish a location, a practitioner, a type and a patient (replicated asynchronously)."""
    clinic = Clinic(uuid4(), uuid4(), uuid4(), uuid4(), f"p-{uuid4().hex[:8]}@example.org")
    await service.feed.publish(
        LocationUpserted(
            location_id=clinic.location_id,
            name="Da'an Clinic",
            address="1 Fuxing S Rd",
            timezone=zone,
            active=True,
        ),
        PractitionerUpserted(
            practitioner_id=clinic.practitioner_id,
            display_name="Dr. Lin",
            status="active",
            location_ids=[clinic.location_id],
            specialties=[],
        ),
        AppointmentTypeUpserted(
            appointment_type_id=clinic.type_id,
            slug="first-visit",
            name="First visit",
            duration_minutes=30,
            buffer_before_minutes=0,
            buffer_after_minutes=0,
            min_notice_minutes=0,
            max_future_days=60,
            reschedule_limit=2,
            cancellation_notice_minutes=0,
            consultation_mode="in_person",
            price="10.00",
            currency="TWD",
            active=True,
        ),
        PatientUpserted(
            patient_id=clinic.patient_id,
            name="陳美玲",
            email=clinic.email,
            phone="+886912345678",
            line_user_id="U4af4980629",
            preferred_language=language,
            preferred_channel=channel,
            timezone=patient_zone,
        ),
    )
    return clinic
