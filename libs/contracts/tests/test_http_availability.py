"""The availability check's contract: what booking sends, what schedules answers, what it means."""

from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from pydantic import ValidationError

from clinic_contracts.http.availability import (
    LOCATION_NOT_FOUND,
    NOT_YET_KNOWN,
    PRACTITIONER_NOT_FOUND,
    CheckAnswer,
    CheckQuery,
)

TAIPEI = timezone(timedelta(hours=8))
START = datetime(2026, 12, 7, 9, 0, tzinfo=TAIPEI)


def a_query(**changes: object) -> CheckQuery:
    fields: dict[str, object] = {
        "practitioner_id": uuid4(),
        "location_id": uuid4(),
        "start": START,
        "end": START + timedelta(minutes=30),
    }
    return CheckQuery.model_validate(fields | changes)


def test_the_parameters_read_back_as_the_same_query() -> None:
    for query in (a_query(), a_query(include_occupancy=True, appointment_type_id=uuid4())):
        assert CheckQuery.model_validate(query.params()) == query


def test_the_parameters_keep_the_callers_offset_and_leave_defaults_out() -> None:
    query = a_query()
    assert query.params() == {
        "practitioner_id": str(query.practitioner_id),
        "location_id": str(query.location_id),
        "start": "2026-12-07T09:00:00+08:00",
        "end": "2026-12-07T09:30:00+08:00",
    }
    assert a_query(include_occupancy=True).params()["include_occupancy"] == "true"


@pytest.mark.parametrize(
    "bad", [{"start": datetime(2026, 12, 7, 9)}, {"end": datetime(2200, 1, 1, tzinfo=UTC)}]
)
def test_a_naive_or_unsupported_instant_is_not_a_query(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        a_query(**bad)


def test_the_answer_schedules_writes_declares_all_three_fields() -> None:
    schema = CheckAnswer.model_json_schema(mode="serialization")
    assert set(schema["required"]) == {"bookable", "rule", "reasons"}
    answer = CheckAnswer(bookable=False, rule="leave", reasons=["leave", "holiday"])
    assert answer.model_dump(mode="json") == {
        "bookable": False,
        "rule": "leave",
        "reasons": ["leave", "holiday"],
    }


def test_a_reader_tolerates_a_missing_reasons_and_fields_it_does_not_know() -> None:
    answer = CheckAnswer.model_validate_json(b'{"bookable": true, "rule": "x", "since": "v9"}')
    assert (answer.bookable, answer.rule, answer.reasons) == (True, "x", [])


@pytest.mark.parametrize("body", [b'{"rule": "leave"}', b'{"bookable": "maybe", "rule": "x"}'])
def test_an_answer_without_a_verdict_is_refused(body: bytes) -> None:
    with pytest.raises(ValidationError):
        CheckAnswer.model_validate_json(body)


def test_not_yet_known_means_exactly_the_practitioner_or_the_placement() -> None:
    assert {PRACTITIONER_NOT_FOUND, LOCATION_NOT_FOUND} == NOT_YET_KNOWN
    assert {"practitioner_not_found", "location_not_found"} == NOT_YET_KNOWN
