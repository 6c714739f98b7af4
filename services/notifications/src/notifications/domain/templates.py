"""Rendering messages: sandboxed Jinja2, strict about unknown variables, HTML autoescaped."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2 import Template as Compiled
from jinja2.sandbox import SandboxedEnvironment

from notifications.domain.default_templates import DEFAULTS, HTML_LAYOUT
from notifications.domain.formatting import DEFAULT_LANGUAGE
from notifications.domain.model import Channel, Kind

TEMPLATED_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.LINE)
MAX_TEMPLATE_CHARS = 20_000

# Every variable a template may use, with an example value (also what validation renders).
SAMPLE_CONTEXT: Mapping[str, object] = {
    "patient_name": "Chen Mei-Ling",
    "practitioner_name": "Dr. Lin",
    "location_name": "Da'an Clinic",
    "location_address": "1 Fuxing S Rd, Taipei",
    "appointment_type_name": "First visit",
    "start": "Tuesday, January 14, 2025 10:00 AM (Taipei Standard Time)",
    "end": "Tuesday, January 14, 2025 10:45 AM (Taipei Standard Time)",
    "start_patient": None,
    "previous_start": "Monday, January 13, 2025 9:00 AM (Taipei Standard Time)",
    "status": "confirmed",
    "reason": "",
    "cancelled_by": "clinic",
    "rebook_url": None,
    "lead_time": "24 hours",
    "decided_by": "schedules",
    "appointment_id": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
}


@dataclass(frozen=True)
class Template:
    """A message template: a subject (email only), a text body, an optional HTML body."""

    text: str
    subject: str | None = None
    html: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A rendered message."""

    text: str
    subject: str | None = None
    html: str | None = None


class InvalidTemplate(ValueError):
    """A template that does not parse or uses an unknown variable; `field` names the part."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


_TEXT_ENV = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_HTML_ENV = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)


@lru_cache(maxsize=512)
def _compile(source: str, html: bool) -> Compiled:
    return (_HTML_ENV if html else _TEXT_ENV).from_string(source)


def default_template(kind: Kind, channel: Channel, language: str) -> Template:
    """The built-in template; the same words on every channel, a subject only for email."""
    texts = DEFAULTS[kind]
    subject, text = texts.get(language) or texts[DEFAULT_LANGUAGE]
    return Template(text=text, subject=subject if channel is Channel.EMAIL else None)


def render(
    template: Template, context: Mapping[str, object], *, channel: Channel, language: str
) -> Rendered:
    """Render for `channel`; email gets an HTML body (the template's or the text's layout)."""
    text = _part("text", template.text, context, html=False).strip()
    if channel is not Channel.EMAIL:
        return Rendered(text=text)
    subject = _part("subject", template.subject or "", context, html=False)
    subject = re.sub(r"\s*[\r\n]+\s*", " ", subject).strip()  # one header line, always
    if template.html:
        html = _part("html", template.html, context, html=True)
    else:
        paragraphs = [block.split("\n") for block in text.split("\n\n") if block.strip()]
        layout = {"language": language, "paragraphs": paragraphs}
        html = _part("html", HTML_LAYOUT, layout, html=True)
    return Rendered(text=text, subject=subject, html=html)


def _part(field: str, source: str, context: Mapping[str, object], *, html: bool) -> str:
    try:
        return _compile(source, html).render(**context)
    except TemplateSyntaxError as exc:
        raise InvalidTemplate(field, f"line {exc.lineno}: {exc.message}") from None
    except TemplateError as exc:  # StrictUndefined, sandbox refusals
        raise InvalidTemplate(field, str(exc)) from None


def validate(template: Template, channel: Channel, language: str) -> Rendered:
    """Render against the sample context; InvalidTemplate names the first part that fails."""
    for field, source in (("text", template.text), ("subject", template.subject)):
        if source is not None and len(source) > MAX_TEMPLATE_CHARS:
            raise InvalidTemplate(field, f"longer than {MAX_TEMPLATE_CHARS} characters")
    if channel is Channel.EMAIL and not (template.subject or "").strip():
        raise InvalidTemplate("subject", "an email template needs a subject")
    if channel is not Channel.EMAIL and (template.subject or template.html):
        field = "subject" if template.subject else "html"
        raise InvalidTemplate(field, f"a {channel} message has no {field}")
    return render(template, SAMPLE_CONTEXT, channel=channel, language=language)
