"""The edge types refuse control characters and dates the platform cannot compute with."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, Field, ValidationError

from clinic_contracts.edge import (
    LATEST_DATE,
    MultilineText,
    PlainText,
    SupportedDate,
    SupportedInstant,
    SupportedMonth,
)


class Form(BaseModel):
    name: PlainText = Field(default="n", max_length=20)
    body: MultilineText = "b"
    on: SupportedDate = date(2026, 1, 1)
    at: SupportedInstant = datetime(2026, 1, 1, tzinfo=UTC)
    month: SupportedMonth = "2026-01"


def rule_of(**fields: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Form.model_validate(fields)
    error = caught.value.errors()[0]
    return ".".join(map(str, error["loc"])), error["type"]


@pytest.mark.parametrize("text", ["a\x00b", "line\nbreak", "tab\there", "\x1b[31m", "del\x7f"])
def test_one_line_text_refuses_control_characters(text: str) -> None:
    assert rule_of(name=text) == ("name", "control_character")


def test_the_message_says_which_character_and_where() -> None:
    with pytest.raises(ValidationError) as caught:
        Form(name="ab\x00")
    assert "U+0000 at position 2" in caught.value.errors()[0]["msg"]


def test_multiline_text_keeps_tabs_and_line_breaks_but_not_nul() -> None:
    assert Form(body="Dear {{ name }},\r\n\tsee you\n").body.endswith("\n")
    assert rule_of(body="a\x00") == ("body", "control_character")
    assert rule_of(body="bell\x07") == ("body", "control_character")


def test_unicode_text_is_plain_text() -> None:
    assert Form(name="陳醫師 — Dr. Chen").name == "陳醫師 — Dr. Chen"


def test_field_constraints_still_apply_beside_the_edge_rule() -> None:
    assert rule_of(name="x" * 21) == ("name", "string_too_long")


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1969, 12, 31), date(2200, 1, 1), date.max])
def test_dates_outside_the_supported_years_are_refused(day: date) -> None:
    assert rule_of(on=day.isoformat()) == ("on", "date_out_of_range")


def test_the_supported_ends_are_accepted() -> None:
    assert Form(on=LATEST_DATE).on == LATEST_DATE
    assert Form(on=date(1970, 1, 1)).on == date(1970, 1, 1)


@pytest.mark.parametrize("at", ["9999-12-31T23:30:00Z", "0001-01-01T00:00:00+00:00"])
def test_instants_outside_the_supported_years_are_refused(at: str) -> None:
    assert rule_of(at=at) == ("at", "instant_out_of_range")


def test_the_last_supported_instant_counts_its_offset() -> None:
    late = datetime(2199, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-8)))  # 2200 in UTC
    assert rule_of(at=late.isoformat()) == ("at", "instant_out_of_range")
    assert Form(at=datetime(2199, 12, 31, 23, 30, tzinfo=UTC)).at.year == 2199


def test_naive_instants_are_refused() -> None:
    assert rule_of(at="2026-01-01T10:00:00") == ("at", "timezone_aware")


@pytest.mark.parametrize(
    ("month", "rule"),
    [
        ("9999-12", "date_out_of_range"),
        ("0000-01", "date_out_of_range"),
        ("2026-13", "string_pattern_mismatch"),
    ],
)
def test_months_outside_the_supported_years_are_refused(month: str, rule: str) -> None:
    assert rule_of(month=month) == ("month", rule)


def test_json_schemas_state_the_rules() -> None:
    schema = Form.model_json_schema()["properties"]
    assert schema["name"]["pattern"] == "^[^\\u0000-\\u001f\\u007f]*$"
    assert schema["name"]["maxLength"] == 20
    assert "1970-01-01" in schema["on"]["description"]
