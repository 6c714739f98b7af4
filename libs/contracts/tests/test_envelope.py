"""The CloudEvents envelope round-trips through Kafka headers and rejects bad ones clearly."""

import datetime as dt
import uuid

import pytest

from clinic_contracts import CloudEvent, InvalidEnvelope

TAIPEI = dt.timezone(dt.timedelta(hours=8))
TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def an_event(**changes: object) -> CloudEvent:
    fields: dict[str, object] = {
        "source": "/clinic/booking",
        "type": "clinic.booking.appointment.booked.v1",
        "time": dt.datetime(
            2025, 1, 15, 9, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8))
        ),
        "subject": str(uuid.uuid4()),
        "tenantid": uuid.uuid4(),
        "traceparent": TRACEPARENT,
    }
    return CloudEvent.model_validate(fields | changes)


def test_headers_round_trip_exactly() -> None:
    event = an_event()
    assert CloudEvent.from_headers(event.to_headers()) == event


def test_headers_round_trip_without_the_optional_attributes() -> None:
    event = an_event(subject=None, traceparent=None)
    names = [name for name, _ in event.to_headers()]
    assert "ce_subject" not in names
    assert "traceparent" not in names
    assert "ce_traceparent" not in names
    assert CloudEvent.from_headers(event.to_headers()) == event


def test_headers_carry_the_documented_names_and_an_iso_time_with_offset() -> None:
    headers = dict(an_event().to_headers())
    assert set(headers) == {
        "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_specversion",
        "ce_tenantid", "ce_traceparent", "traceparent", "content-type",
    }  # fmt: skip
    assert headers["ce_traceparent"] == headers["traceparent"] == TRACEPARENT.encode()
    assert headers["ce_time"] == b"2025-01-15T01:00:00.123456+00:00"
    assert headers["ce_specversion"] == b"1.0"
    assert headers["content-type"] == b"application/json"


def test_a_mapping_of_str_values_is_accepted_too() -> None:
    event = an_event()
    as_mapping = {name: value.decode() for name, value in event.to_headers()}
    assert CloudEvent.from_headers(as_mapping) == event


def test_other_headers_are_ignored() -> None:
    event = an_event()
    assert CloudEvent.from_headers([*event.to_headers(), ("dlq_reason", b"boom")]) == event


@pytest.mark.parametrize("header", ["ce_id", "ce_type", "ce_time", "ce_tenantid"])
def test_a_missing_header_is_named_in_the_error(header: str) -> None:
    headers = [(k, v) for k, v in an_event().to_headers() if k != header]
    with pytest.raises(InvalidEnvelope, match=header):
        CloudEvent.from_headers(headers)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("ce_time", b"2025-01-15T09:00:00"),
        ("ce_tenantid", b"not-a-uuid"),
        ("ce_specversion", b"0.3"),
        ("ce_traceparent", b"00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
    ],
)
def test_an_invalid_header_is_named_in_the_error(header: str, value: bytes) -> None:
    headers = [(k, value if k == header else v) for k, v in an_event().to_headers()]
    with pytest.raises(InvalidEnvelope, match=header):
        CloudEvent.from_headers(headers)


OTHER_TRACE = b"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def test_a_message_from_before_the_extension_is_traced_by_its_bare_w3c_header() -> None:
    headers = [(k, v) for k, v in an_event().to_headers() if k != "ce_traceparent"]
    assert CloudEvent.from_headers(headers).traceparent == TRACEPARENT
    bad = [(k, b"00-zz" if k == "traceparent" else v) for k, v in headers]
    with pytest.raises(InvalidEnvelope, match="traceparent"):
        CloudEvent.from_headers(bad)


def test_the_extension_wins_over_a_bare_header_rewritten_in_transit() -> None:
    for rewritten in (OTHER_TRACE, b"garbage from some middleware"):
        headers = [(k, rewritten if k == "traceparent" else v) for k, v in an_event().to_headers()]
        assert CloudEvent.from_headers(headers).traceparent == TRACEPARENT


def test_a_duplicated_header_is_rejected() -> None:
    headers = an_event().to_headers()
    with pytest.raises(InvalidEnvelope, match="ce_type"):
        CloudEvent.from_headers([*headers, ("ce_type", b"other.v1")])


def test_invalid_envelope_is_a_value_error() -> None:
    assert issubclass(InvalidEnvelope, ValueError)
