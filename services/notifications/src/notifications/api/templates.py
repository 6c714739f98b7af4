"""Templates per kind, channel and language: built-in defaults, tenant overrides, previews."""

from __future__ import annotations

from typing import Literal, get_args
from uuid import UUID

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field
from sqlalchemy import RowMapping

from clinic_contracts.edge import MultilineText, PlainText
from clinic_platform.errors import NotFound, RuleViolation
from clinic_platform.runtime import UnitOfWorkDep
from notifications.api.deps import TemplatesReader, TemplatesWriter
from notifications.domain.formatting import LANGUAGES
from notifications.domain.model import Channel, Kind
from notifications.domain.templates import (
    TEMPLATED_CHANNELS,
    InvalidTemplate,
    Rendered,
    Template,
    default_template,
    render,
    validate,
)
from notifications.service.preview import preview_variables
from notifications.store import settings as store

router = APIRouter(prefix="/templates", tags=["templates"])
TemplateKind = Literal[
    "appointment_confirmation",
    "appointment_rescheduled",
    "appointment_cancelled",
    "appointment_declined",
    "appointment_reminder",
    "practitioner_new_booking",
    "practitioner_cancellation",
    "staff_outside_hours",
]
assert set(get_args(TemplateKind)) == {k.value for k in Kind if k is not Kind.WEBHOOK}
TemplateChannel = Literal["email", "sms", "line"]
Language = Literal["en", "zh-Hant"]
assert set(LANGUAGES) == {"en", "zh-Hant"}


class TemplateBody(BaseModel):
    """A template: Jinja2 text; `subject` (and optionally `html`) for email only."""

    # A subject becomes a mail header: one line, so nobody can inject another header.
    subject: PlainText | None = Field(default=None, max_length=20_000)
    text: MultilineText = Field(min_length=1, max_length=20_000)
    html: MultilineText | None = Field(default=None, max_length=20_000)


class TemplatePublic(TemplateBody):
    """A template as it applies to the tenant, and where it comes from."""

    kind: str
    channel: str
    language: str
    source: Literal["default", "tenant"]


class PreviewRequest(BaseModel):
    """Render a template (the effective one, or `template`) for a real appointment."""

    appointment_id: UUID
    kind: TemplateKind
    channel: TemplateChannel
    language: Language
    template: TemplateBody | None = None


class RenderedPublic(BaseModel):
    """A rendered message."""

    subject: str | None
    text: str
    html: str | None


def _checked(body: TemplateBody, channel: Channel, language: str) -> Template:
    template = Template(text=body.text, subject=body.subject, html=body.html)
    try:
        validate(template, channel, language)
    except InvalidTemplate as exc:
        raise RuleViolation(exc.message, code="invalid_template", field=exc.field) from None
    return template


async def _effective(
    uow: UnitOfWorkDep, kind: Kind, channel: Channel, language: str
) -> TemplatePublic:
    row = await store.template(uow.session, kind.value, channel.value, language)
    return _applying(kind, channel, language, row)


def _applying(
    kind: Kind, channel: Channel, language: str, row: RowMapping | None
) -> TemplatePublic:
    """The tenant's override `row` when there is one, else the built-in template."""
    if row is not None:
        body = TemplateBody(subject=row["subject"], text=row["text"], html=row["html"])
        source: Literal["default", "tenant"] = "tenant"
    else:
        found = default_template(kind, channel, language)
        body = TemplateBody(subject=found.subject, text=found.text, html=found.html)
        source = "default"
    return TemplatePublic(
        **body.model_dump(),
        kind=kind.value,
        channel=channel.value,
        language=language,
        source=source,
    )


@router.get("")
async def list_templates(_: TemplatesReader, uow: UnitOfWorkDep) -> list[TemplatePublic]:
    """Every (kind, channel, language) with the template that applies to the tenant."""
    async with uow:
        overrides = {
            (row["kind"], row["channel"], row["language"]): row
            for row in await store.all_templates(uow.session)
        }
    return [
        _applying(Kind(kind), channel, language, overrides.get((kind, channel.value, language)))
        for kind in get_args(TemplateKind)
        for channel in TEMPLATED_CHANNELS
        for language in LANGUAGES
    ]


@router.get("/{kind}/{channel}/{language}")
async def get_template(
    kind: TemplateKind,
    channel: TemplateChannel,
    language: Language,
    _: TemplatesReader,
    uow: UnitOfWorkDep,
) -> TemplatePublic:
    """The template that applies to the tenant."""
    async with uow:
        return await _effective(uow, Kind(kind), Channel(channel), language)


@router.put("/{kind}/{channel}/{language}")
async def put_template(
    kind: TemplateKind,
    channel: TemplateChannel,
    language: Language,
    body: TemplateBody,
    actor: TemplatesWriter,
    uow: UnitOfWorkDep,
) -> TemplatePublic:
    """Override the template for the tenant; it must render with the known variables."""
    template = _checked(body, Channel(channel), language)
    async with uow:
        await store.save_template(
            uow.session,
            actor.tenant_id,
            kind=kind,
            channel=channel,
            language=language,
            subject=template.subject,
            text=template.text,
            html=template.html,
        )
        result = await _effective(uow, Kind(kind), Channel(channel), language)
        await uow.commit()
    return result


@router.delete("/{kind}/{channel}/{language}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(
    kind: TemplateKind,
    channel: TemplateChannel,
    language: Language,
    _: TemplatesWriter,
    uow: UnitOfWorkDep,
) -> Response:
    """Drop the tenant's override; the built-in template applies again."""
    async with uow:
        if not await store.delete_template(uow.session, kind, channel, language):
            raise NotFound("the tenant has no override of this template", field="kind")
        await uow.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/preview")
async def preview_template(
    body: PreviewRequest, _: TemplatesReader, uow: UnitOfWorkDep
) -> RenderedPublic:
    """Render the effective template (or the one sent) for a real appointment of the tenant."""
    kind, channel = Kind(body.kind), Channel(body.channel)
    async with uow:
        if body.template is not None:
            template = _checked(body.template, channel, body.language)
        else:
            found = await _effective(uow, kind, channel, body.language)
            template = Template(text=found.text, subject=found.subject, html=found.html)
        variables = await preview_variables(uow.session, body.appointment_id, body.language)
    try:
        rendered: Rendered = render(template, variables, channel=channel, language=body.language)
    except InvalidTemplate as exc:
        raise RuleViolation(exc.message, code="invalid_template", field=exc.field) from None
    return RenderedPublic(subject=rendered.subject, text=rendered.text, html=rendered.html)
