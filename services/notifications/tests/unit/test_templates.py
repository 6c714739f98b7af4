# ruff: noqa: RUF001  (full-width punctuation is correct in Traditional Chinese text)
"""Templates: both languages, local times on a DST day, autoescaped HTML, strict variables."""

from datetime import UTC, datetime

import pytest

from notifications.domain.formatting import format_instant, resolve_language
from notifications.domain.model import Channel, Kind
from notifications.domain.templates import (
    SAMPLE_CONTEXT,
    InvalidTemplate,
    Template,
    default_template,
    render,
    validate,
)

# 2026-03-08 is New York's spring-forward day: 15:30Z is 11:30 EDT (it would be 10:30 EST).
DST_DAY = datetime(2026, 3, 8, 15, 30, tzinfo=UTC)


def context(**kw: object) -> dict[str, object]:
    return {**SAMPLE_CONTEXT, **kw}


def test_times_are_local_to_the_zone_and_formatted_for_the_language_on_a_dst_day() -> None:
    assert format_instant(DST_DAY, "America/New_York", "en") == (
        "Sunday, March 8, 2026 11:30\u202fAM (Eastern Daylight Time)"
    )
    assert format_instant(DST_DAY, "America/New_York", "zh-Hant") == (
        "2026年3月8日 星期日 上午11:30 (東部夏令時間)"
    )
    # The day before, the same UTC clock is an hour earlier locally (standard time).
    assert "10:30" in format_instant(
        datetime(2026, 3, 7, 15, 30, tzinfo=UTC), "America/New_York", "en"
    )


def test_the_english_confirmation_names_practitioner_time_and_place() -> None:
    start = format_instant(DST_DAY, "America/New_York", "en")
    rendered = render(
        default_template(Kind.CONFIRMATION, Channel.EMAIL, "en"),
        context(start=start, practitioner_name="Dr. Ada"),
        channel=Channel.EMAIL,
        language="en",
    )
    assert rendered.subject == f"Appointment confirmed: {start}"
    assert "With: Dr. Ada" in rendered.text
    assert "11:30" in rendered.text


def test_the_traditional_chinese_cancellation_is_the_seeds_message_with_reason_and_rebooking() -> (
    None
):
    rendered = render(
        default_template(Kind.CANCELLED, Channel.LINE, "zh-Hant"),
        context(
            reason="醫師請假", practitioner_name="林醫師", rebook_url="https://c.example/rebook"
        ),
        channel=Channel.LINE,
        language="zh-Hant",
    )
    assert rendered.subject is None
    assert rendered.html is None
    assert rendered.text.startswith("預約取消通知\n\n您的預約已被取消：")
    assert "• 治療師：林醫師" in rendered.text
    assert "• 原因：醫師請假" in rendered.text
    assert "如需重新預約，請回覆「重新預約」或直接告訴我您方便的時間。" in rendered.text
    assert "https://c.example/rebook" in rendered.text
    assert rendered.text.endswith("如有疑問，請聯繫診所。")


def test_html_email_bodies_escape_what_patients_and_staff_typed() -> None:
    rendered = render(
        default_template(Kind.CANCELLED, Channel.EMAIL, "en"),
        context(patient_name="<b>x</b>", reason="<script>alert(1)</script>"),
        channel=Channel.EMAIL,
        language="en",
    )
    assert rendered.html is not None
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "<script>alert(1)</script>" in rendered.text  # plain text needs no escaping


def test_an_unknown_variable_or_bad_syntax_is_refused_naming_the_part() -> None:
    with pytest.raises(InvalidTemplate) as unknown:
        validate(Template(text="Hi {{ patient_nmae }}", subject="S"), Channel.EMAIL, "en")
    assert unknown.value.field == "text"
    with pytest.raises(InvalidTemplate) as syntax:
        validate(Template(text="ok", subject="{% if %}"), Channel.EMAIL, "en")
    assert syntax.value.field == "subject"


def test_the_sandbox_refuses_reaching_into_python_internals() -> None:
    with pytest.raises(InvalidTemplate):
        validate(Template(text="{{ ''.__class__.__mro__ }}"), Channel.SMS, "en")


def test_email_needs_a_subject_and_sms_has_none() -> None:
    with pytest.raises(InvalidTemplate, match="subject"):
        validate(Template(text="Hi"), Channel.EMAIL, "en")
    with pytest.raises(InvalidTemplate, match="subject"):
        validate(Template(text="Hi", subject="S"), Channel.SMS, "en")


@pytest.mark.parametrize(
    ("tag", "language"),
    [("zh-Hant", "zh-Hant"), ("zh-TW", "zh-Hant"), ("en-GB", "en"), ("fr", "en")],
)
def test_languages_resolve_to_the_supported_ones(tag: str, language: str) -> None:
    assert resolve_language(tag) == language


@pytest.mark.parametrize("kind", [k for k in Kind if k is not Kind.WEBHOOK])
@pytest.mark.parametrize("language", ["en", "zh-Hant"])
@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS, Channel.LINE])
def test_every_built_in_template_renders(kind: Kind, language: str, channel: Channel) -> None:
    rendered = validate(default_template(kind, channel, language), channel, language)
    assert rendered.text
