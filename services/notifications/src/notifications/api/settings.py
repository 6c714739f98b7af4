"""Per-tenant settings: the reminder plan, staff contacts, webhook, practitioners' preferences."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, HttpUrl

from clinic_contracts.edge import Email, PlainText
from clinic_platform.errors import NotFound, RuleViolation
from clinic_platform.runtime import UnitOfWorkDep
from clinic_platform.secrets import SecretBox
from notifications.api.deps import TemplatesReader, TemplatesWriter
from notifications.domain.reminders import MAX_OFFSET_MINUTES, normalise_offsets
from notifications.service.replan import replan_upcoming
from notifications.store import settings as store

router = APIRouter(tags=["settings"])
Language = Literal["en", "zh-Hant"]
PatientChannel = Literal["email", "sms", "line"]
Offset = Annotated[int, Field(ge=1, le=MAX_OFFSET_MINUTES)]


class ReminderPlan(BaseModel):
    """Minutes before the start at which patients are reminded (default 24 h and 2 h)."""

    offsets_minutes: list[Offset] = Field(max_length=10)


class ReminderPlanPublic(ReminderPlan):
    """The plan, and how many upcoming appointments were re-planned by this change."""

    replanned_appointments: int = 0


def _default_order() -> list[PatientChannel]:
    return ["email", "sms", "line"]


class TenantSettingsBody(BaseModel):
    """Who else is told, in which order channels are tried, and the integration webhook."""

    staff_emails: list[Email] = Field(default_factory=list, max_length=50)
    staff_language: Language = "en"
    rebook_url: HttpUrl | None = None
    fallback_channels: list[PatientChannel] = Field(
        default_factory=_default_order, min_length=1, max_length=3
    )
    webhook_url: HttpUrl | None = None
    webhook_secret: PlainText | None = Field(default=None, min_length=16, max_length=200)


class TenantSettingsPublic(BaseModel):
    """The settings; the webhook secret is never shown, only whether one is set."""

    staff_emails: list[str]
    staff_language: str
    rebook_url: str | None
    fallback_channels: list[str]
    webhook_url: str | None
    webhook_secret_set: bool


class Preferences(BaseModel):
    """Whether a practitioner is emailed about new bookings and cancellations."""

    email: Email
    language: Language = "en"
    notify_booked: bool = True
    notify_cancelled: bool = True


def _public(values: dict[str, object]) -> TenantSettingsPublic:
    return TenantSettingsPublic.model_validate(
        {**values, "webhook_secret_set": bool(values["webhook_secret"])}
    )


@router.get("/reminder-plan")
async def get_reminder_plan(_: TemplatesReader, uow: UnitOfWorkDep) -> ReminderPlan:
    """The tenant's reminder plan."""
    async with uow:
        values = await store.tenant(uow.session, uow.tenant_id)
    return ReminderPlan(offsets_minutes=values["reminder_offsets_minutes"])


@router.put("/reminder-plan")
async def put_reminder_plan(
    body: ReminderPlan, actor: TemplatesWriter, uow: UnitOfWorkDep
) -> ReminderPlanPublic:
    """Replace the plan; reminders of upcoming appointments not yet sent move to the new plan."""
    offsets = normalise_offsets(body.offsets_minutes)
    async with uow:
        await store.save_tenant(uow.session, actor.tenant_id, reminder_offsets_minutes=offsets)
        count = await replan_upcoming(uow.session, actor.tenant_id, offsets)
        await uow.commit()
    return ReminderPlanPublic(offsets_minutes=offsets, replanned_appointments=count)


@router.get("/settings")
async def get_settings(_: TemplatesReader, uow: UnitOfWorkDep) -> TenantSettingsPublic:
    """The tenant's notification settings."""
    async with uow:
        return _public(await store.tenant(uow.session, uow.tenant_id))


@router.put("/settings")
async def put_settings(
    body: TenantSettingsBody, actor: TemplatesWriter, uow: UnitOfWorkDep, request: Request
) -> TenantSettingsPublic:
    """Replace the settings; a webhook needs a signing secret (kept when not sent again, and
    stored sealed with the service's encryption keys)."""
    values = body.model_dump(mode="json", exclude={"webhook_secret"})
    box: SecretBox = request.app.state.secrets
    async with uow:
        current = await store.tenant(uow.session, actor.tenant_id)
        sealed = box.seal(body.webhook_secret) if body.webhook_secret else None
        secret = sealed or current["webhook_secret"]
        if body.webhook_url is not None and not secret:
            raise RuleViolation(
                "a webhook needs a signing secret",
                code="webhook_secret_required",
                field="webhook_secret",
            )
        saved = await store.save_tenant(
            uow.session, actor.tenant_id, **values, webhook_secret=secret
        )
        await uow.commit()
    return _public(saved)


@router.get("/practitioners/{practitioner_id}/preferences")
async def get_preferences(
    practitioner_id: UUID, _: TemplatesReader, uow: UnitOfWorkDep
) -> Preferences:
    """Whether and where a practitioner is told of bookings and cancellations."""
    async with uow:
        row = await store.preferences(uow.session, practitioner_id)
    if row is None:
        raise NotFound("no preferences set for this practitioner", field="practitioner_id")
    return Preferences.model_validate(row, from_attributes=False)


@router.put("/practitioners/{practitioner_id}/preferences")
async def put_preferences(
    practitioner_id: UUID, body: Preferences, actor: TemplatesWriter, uow: UnitOfWorkDep
) -> Preferences:
    """Set a practitioner's notification preferences."""
    async with uow:
        await store.save_preferences(
            uow.session, actor.tenant_id, practitioner_id, **body.model_dump()
        )
        await uow.commit()
    return body
