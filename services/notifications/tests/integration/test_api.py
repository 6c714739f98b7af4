"""The API: templates CRUD and preview, reminder plan, settings, resend, roles and problems."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from clinic_contracts import AppointmentBooked
from clinic_platform.secrets import SecretBox
from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.openapi import declared_examples
from notifications.domain.signature import verify
from notifications.store.tables import TABLES, metadata, tenant_settings

pytestmark = pytest.mark.integration
API = "/api/v1/notifications"
EMAIL_EN = f"{API}/templates/appointment_confirmation/email/en"


def booked(clinic: Any, days: int = 3) -> AppointmentBooked:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return AppointmentBooked(
        appointment_id=uuid4(),
        patient_id=clinic.patient_id,
        practitioner_id=clinic.practitioner_id,
        practitioner_ids=[clinic.practitioner_id],
        location_id=clinic.location_id,
        appointment_type_id=clinic.type_id,
        start=start,
        end=start + timedelta(minutes=30),
        buffer_before_minutes=0,
        buffer_after_minutes=0,
        status="pending",
    )


async def test_a_manager_overrides_a_template_previews_it_and_reverts_to_the_default(
    service: Any, seed: Any
) -> None:
    manager, desk = service.headers("clinic_manager"), service.headers("receptionist")
    clinic = await seed(language="en", zone="America/New_York")
    event = booked(clinic)
    await service.feed.publish(event)
    await service.inbox.wait_for(clinic.email)

    body = {
        "subject": "Booked: {{ start }}",
        "text": "Hi {{ patient_name }}, see {{ practitioner_name }}.",
    }
    assert (await service.client.put(EMAIL_EN, json=body, headers=desk)).status_code == 403
    saved = await service.client.put(EMAIL_EN, json=body, headers=manager)
    assert saved.status_code == 200, saved.text
    assert saved.json()["source"] == "tenant"
    preview = await service.client.post(
        f"{API}/templates/preview",
        json={
            "appointment_id": str(event.appointment_id),
            "kind": "appointment_confirmation",
            "channel": "email",
            "language": "en",
        },
        headers=desk,
    )
    assert preview.status_code == 200, preview.text
    assert preview.json()["text"] == "Hi 陳美玲, see Dr. Lin."
    assert preview.json()["subject"].endswith("(Eastern Standard Time)") or preview.json()[
        "subject"
    ].endswith("(Eastern Daylight Time)")
    assert (await service.client.delete(EMAIL_EN, headers=manager)).status_code == 204
    again = await service.client.get(EMAIL_EN, headers=desk)
    assert again.json()["source"] == "default"
    assert (await service.client.delete(EMAIL_EN, headers=manager)).status_code == 404


async def test_the_template_list_shows_the_tenant_override_and_the_defaults(service: Any) -> None:
    manager = service.headers("clinic_manager")
    body = {"subject": "Booked: {{ start }}", "text": "Hi {{ patient_name }}."}
    assert (await service.client.put(EMAIL_EN, json=body, headers=manager)).status_code == 200
    listed = await service.client.get(f"{API}/templates", headers=manager)
    assert listed.status_code == 200, listed.text
    by_key = {(t["kind"], t["channel"], t["language"]): t for t in listed.json()}
    assert len(by_key) == len(listed.json()) == 8 * 3 * 2
    assert by_key[("appointment_confirmation", "email", "en")]["source"] == "tenant"
    assert by_key[("appointment_confirmation", "email", "en")]["text"] == body["text"]
    assert by_key[("appointment_confirmation", "sms", "en")]["source"] == "default"
    assert (await service.client.delete(EMAIL_EN, headers=manager)).status_code == 204


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (EMAIL_EN, {"subject": "S", "text": "Hi {{ nobody }}"}, "text"),
        (EMAIL_EN, {"text": "no subject"}, "subject"),
        (
            f"{API}/templates/appointment_confirmation/sms/en",
            {"subject": "S", "text": "x"},
            "subject",
        ),
        (f"{API}/templates/appointment_confirmation/fax/en", {"text": "x"}, "path.channel"),
        (f"{API}/templates/appointment_confirmation/email/fr", {"text": "x"}, "path.language"),
        (f"{API}/reminder-plan", {"offsets_minutes": [0]}, "body.offsets_minutes.0"),
        (f"{API}/settings", {"webhook_url": "https://hooks.example/x"}, "webhook_secret"),
        # PostgreSQL refuses NUL in text: the edge refuses it first, naming the field.
        (EMAIL_EN, {"subject": "Booked", "text": "Hi\u0000there"}, "body.text"),
        (EMAIL_EN, {"subject": "Booked", "text": "Hi", "html": "<p>\u0000</p>"}, "body.html"),
        (EMAIL_EN, {"subject": "Booked\r\nBcc: x@example.org", "text": "Hi"}, "body.subject"),
        (
            f"{API}/settings",
            {"webhook_url": "https://hooks.example/x", "webhook_secret": "s" * 16 + "\u0000"},
            "body.webhook_secret",
        ),
        (f"{API}/settings", {"staff_emails": ["desk\u0000@example.org"]}, "body.staff_emails.0"),
    ],
)
async def test_bad_input_is_a_problem_naming_the_field(
    service: Any, path: str, body: dict[str, Any], field: str
) -> None:
    response = await service.client.put(path, json=body, headers=service.headers("admin"))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    fields = [problem.get("field")] + [e["field"] for e in problem.get("errors", [])]
    assert field in fields


async def test_preview_of_an_unknown_appointment_is_404(service: Any) -> None:
    response = await service.client.post(
        f"{API}/templates/preview",
        json={
            "appointment_id": str(uuid4()),
            "kind": "appointment_reminder",
            "channel": "line",
            "language": "zh-Hant",
        },
        headers=service.headers("receptionist"),
    )
    assert response.status_code == 404
    assert response.json()["field"] == "appointment_id"


async def test_the_reminder_plan_defaults_to_24_and_2_hours_and_moves_upcoming_reminders(
    service: Any, seed: Any
) -> None:
    admin = service.headers("admin")
    assert (await service.client.get(f"{API}/reminder-plan", headers=admin)).json() == {
        "offsets_minutes": [1440, 120]
    }
    clinic = await seed(language="en")
    event = booked(clinic)
    await service.feed.publish(event)
    await service.inbox.wait_for(clinic.email)
    put = await service.client.put(
        f"{API}/reminder-plan", json={"offsets_minutes": [60, 2880, 60]}, headers=admin
    )
    assert put.json() == {"offsets_minutes": [2880, 60], "replanned_appointments": 1}
    plan = await service.client.get(
        f"{API}/appointments/{event.appointment_id}/reminders", headers=admin
    )
    scheduled = [r["offset_minutes"] for r in plan.json() if r["state"] == "scheduled"]
    assert scheduled == [2880, 60]


async def test_integrations_get_signed_webhooks_and_staff_can_resend_a_delivery(
    service: Any, seed: Any
) -> None:
    url = service.provider_url + "/hooks/clinic"
    secret = "whsec-integration-0123456789"
    admin = service.headers("admin")
    saved = await service.client.put(
        f"{API}/settings", json={"webhook_url": url, "webhook_secret": secret}, headers=admin
    )
    assert saved.json()["webhook_secret_set"] is True
    assert "webhook_secret" not in saved.json()
    # At rest the secret is sealed: the column holds neither it nor anything readable without
    # the service's keys.
    async with tenant_transaction(service.runtime.sessions, service.feed.tenant_id) as session:
        stored = (
            await session.execute(
                sa.select(tenant_settings.c.webhook_secret).where(
                    tenant_settings.c.tenant_id == service.feed.tenant_id
                )
            )
        ).scalar_one()
    assert secret not in stored
    assert SecretBox.from_settings(service.settings).open(stored) == secret
    clinic = await seed(language="en")
    event = booked(clinic)
    await service.feed.publish(event)
    [hook] = await service.provider.wait_for("/hooks/clinic")
    assert hook["json"]["data"]["appointment_id"] == str(event.appointment_id)
    assert hook["headers"]["x-clinic-event-type"] == AppointmentBooked.event_type
    assert verify(secret, hook["raw"], hook["headers"]["x-clinic-signature"], int(time.time()))

    await service.inbox.wait_for(clinic.email)
    log = []
    for _ in range(100):
        log = (
            await service.client.get(
                f"{API}/appointments/{event.appointment_id}/deliveries", headers=admin
            )
        ).json()
        if all(d["state"] == "sent" for d in log):
            break
        await asyncio.sleep(0.05)
    email = next(d for d in log if d["channel"] == "email")
    headers = {**service.headers("receptionist"), "Idempotency-Key": "again-1"}
    first = await service.client.post(f"{API}/deliveries/{email['id']}/resend", headers=headers)
    second = await service.client.post(f"{API}/deliveries/{email['id']}/resend", headers=headers)
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["resend_of"] == email["id"]
    await service.inbox.wait_for(clinic.email, count=2)
    await asyncio.sleep(0.5)
    assert len(service.inbox.to(clinic.email)) == 2
    hygienist = service.headers("hygienist")
    denied = await service.client.post(f"{API}/deliveries/{email['id']}/resend", headers=hygienist)
    assert denied.status_code == 403


def test_the_migrations_create_exactly_the_tables_the_code_declares(service: Any) -> None:
    engine = sa.create_engine(service.database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert [d for d in diffs if _table_of(d) in TABLES] == []


def _table_of(diff: Any) -> str:
    # Alembic diffs are (op, Table | Index | Constraint, …) or (op, schema, table, column, …).
    item = diff[0] if isinstance(diff, list) else diff
    target = item[1]
    if isinstance(target, sa.Table):
        return str(target.name)
    if getattr(target, "table", None) is not None:
        return str(target.table.name)
    return str(item[2])


async def test_every_example_in_the_openapi_document_is_accepted(service: Any) -> None:
    document = (await service.client.get(f"{API}/openapi.json")).json()
    examples = {example.where: example.value for example in declared_examples(document)}
    # A new example must be added here, so it is posted too.
    assert set(examples) == {("Preferences", "email"), ("TenantSettingsBody", "staff_emails")}
    admin = service.headers("admin")
    preferences = await service.client.put(
        f"{API}/practitioners/{uuid4()}/preferences",
        json={"email": examples["Preferences", "email"]},
        headers=admin,
    )
    assert preferences.status_code == 200, preferences.text
    settings = await service.client.put(
        f"{API}/settings",
        json={"staff_emails": [examples["TenantSettingsBody", "staff_emails"]]},
        headers=admin,
    )
    assert settings.status_code == 200, settings.text
