"""Every payload example round-trips; invalid payloads are rejected naming the field."""

import datetime as dt
import uuid

import pytest
from pydantic import ValidationError

from clinic_contracts import (
    EVENT_TYPES,
    AppointmentBooked,
    AppointmentRescheduled,
    BusyTimesReplaced,
    EventPayload,
    ExceptionCreated,
    ForcedBlockChanged,
    HolidayChanged,
    LocationUpserted,
    WeeklyScheduleReplaced,
    decode,
    encode,
)

EXAMPLES = [
    pytest.param(cls, example, id=f"{cls.event_type}[{index}]")
    for cls in EVENT_TYPES.values()
    for index, example in enumerate(cls.examples())
]
TENANT = uuid.uuid4()


def example_of(cls: type[EventPayload], **changes: object) -> dict[str, object]:
    return {**cls.examples()[0], **changes}


def test_every_event_type_has_at_least_one_example() -> None:
    assert all(cls.examples() for cls in EVENT_TYPES.values())


@pytest.mark.parametrize(("cls", "example"), EXAMPLES)
def test_an_example_survives_a_json_round_trip(cls: type[EventPayload], example: dict) -> None:
    payload = cls.model_validate(example)
    assert cls.model_validate_json(payload.model_dump_json()) == payload


@pytest.mark.parametrize(("cls", "example"), EXAMPLES)
def test_an_example_survives_a_kafka_round_trip(cls: type[EventPayload], example: dict) -> None:
    payload = cls.model_validate(example)
    message = encode(payload, source="/clinic/test", tenantid=TENANT, time=dt.datetime.now(dt.UTC))
    decoded = decode(message.headers, message.value)
    assert decoded.payload == payload
    assert type(decoded.payload) is cls
    assert decoded.envelope.type == cls.event_type
    assert message.topic == cls.topic
    assert message.key == payload.message_key().encode()


def test_payloads_are_frozen() -> None:
    payload = LocationUpserted.model_validate(example_of(LocationUpserted))
    with pytest.raises(ValidationError, match="frozen"):
        payload.name = "Other"  # type: ignore[misc]


def test_unknown_fields_from_a_newer_producer_are_ignored() -> None:
    payload = LocationUpserted.model_validate(example_of(LocationUpserted, added_in_v1_1="x"))
    assert "added_in_v1_1" not in payload.model_dump()


def test_instants_are_normalised_to_utc() -> None:
    booked = AppointmentBooked.model_validate(
        example_of(AppointmentBooked, start="2025-01-15T09:00:00+08:00")
    )
    assert booked.start == dt.datetime(2025, 1, 15, 1, tzinfo=dt.UTC)
    assert booked.start.utcoffset() == dt.timedelta(0)


def test_appointments_are_keyed_by_the_primary_practitioner() -> None:
    booked = AppointmentBooked.model_validate(example_of(AppointmentBooked))
    assert booked.message_key() == str(booked.practitioner_id)


@pytest.mark.parametrize(
    ("cls", "changes", "field_in_message"),
    [
        pytest.param(AppointmentBooked, {"start": "2025-01-15T01:00:00"}, "start", id="naive"),
        pytest.param(
            AppointmentBooked, {"end": "2025-01-15T00:30:00Z"}, "end", id="end-before-start"
        ),
        pytest.param(
            AppointmentRescheduled,
            {"previous_end": "2025-01-13T00:00:00Z"},
            "previous_end",
            id="previous-end-before-start",
        ),
        pytest.param(AppointmentBooked, {"status": "lost"}, "status", id="unknown-enum"),
        pytest.param(AppointmentBooked, {"status": "cancelled"}, "status", id="wrong-status"),
        pytest.param(LocationUpserted, {"timezone": "Mars/Olympus"}, "timezone", id="bad-zone"),
        pytest.param(LocationUpserted, {"timezone": "localtime"}, "timezone", id="host-zone"),
        pytest.param(
            ExceptionCreated, {"end_time": "13:00"}, "end_time", id="local-end-before-start"
        ),
        pytest.param(
            ExceptionCreated, {"start_time": "14:00+08:00"}, "start_time", id="time-offset"
        ),
        pytest.param(
            ExceptionCreated, {"rrule": "FREQ=DAILY"}, "rrule", id="date-and-rrule-together"
        ),
        pytest.param(
            ExceptionCreated, {"exdates": ["2025-01-22"]}, "rrule", id="exdates-without-rrule"
        ),
        pytest.param(HolidayChanged, {"rdates": ["2025-02-01"]}, "rrule", id="rdates-no-rrule"),
        pytest.param(
            ForcedBlockChanged, {"rrule": "FREQ=DAILY"}, "timezone", id="recurring-block-no-zone"
        ),
        pytest.param(
            HolidayChanged,
            {"rrule": "FREQ=YEARLY", "exdates": ["2025-12-25"] * 367},
            "exdates",
            id="too-many-exdates",
        ),
        pytest.param(
            WeeklyScheduleReplaced,
            {
                "intervals": [
                    {"weekday": "monday", "start_time": "09:00", "end_time": "12:00"},
                    {"weekday": "monday", "start_time": "11:00", "end_time": "13:00"},
                ]
            },
            "intervals",
            id="overlapping-intervals",
        ),
        pytest.param(
            BusyTimesReplaced,
            {"window_end": "2025-01-01T00:00:00Z"},
            "window_end",
            id="window-end-before-start",
        ),
    ],
)
def test_an_invalid_payload_is_rejected_naming_the_field(
    cls: type[EventPayload], changes: dict, field_in_message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        cls.model_validate(example_of(cls, **changes))
    assert field_in_message in str(caught.value)


def test_a_missing_required_field_is_rejected_naming_it() -> None:
    example = example_of(AppointmentBooked)
    del example["patient_id"]
    with pytest.raises(ValidationError) as caught:
        AppointmentBooked.model_validate(example)
    assert caught.value.errors()[0]["loc"] == ("patient_id",)
    assert caught.value.errors()[0]["type"] == "missing"
