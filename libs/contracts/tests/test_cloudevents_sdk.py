"""Our Kafka envelope is the one the official CloudEvents SDK reads and writes (binary mode).

The SDK (`cloudevents` on PyPI, 2.x: `cloudevents.core.bindings.kafka`) is the reference an
analytics team or another language's consumer would use; if it cannot read our messages, or we
cannot read its, the envelope is not CloudEvents whatever our own round trip says.
"""

import datetime as dt
import json
import uuid

from cloudevents.core.bindings import kafka as sdk_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent as SdkEvent

from clinic_contracts import AppointmentBooked
from clinic_contracts.codec import decode, encode

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
TENANT = uuid.UUID("6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b")
# A non-UTC offset on purpose: the header must carry the instant, whatever zone it was made in.
TIME = dt.datetime(2025, 1, 15, 9, 0, 0, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PAYLOAD = AppointmentBooked.model_validate(AppointmentBooked.examples()[0])


def ours_as_sdk_message() -> tuple[sdk_kafka.KafkaMessage, str]:
    ours = encode(
        PAYLOAD,
        source="/clinic/booking",
        tenantid=TENANT,
        time=TIME,
        subject=f"appointment/{PAYLOAD.appointment_id}",
        traceparent=TRACEPARENT,
    )
    headers = dict(ours.headers)
    assert len(headers) == len(ours.headers), "a header name appears twice"
    message = sdk_kafka.KafkaMessage(headers=headers, key=ours.key, value=ours.value)
    return message, headers["ce_id"].decode()


def test_the_sdk_reads_every_attribute_of_a_message_we_encode() -> None:
    message, event_id = ours_as_sdk_message()
    event = sdk_kafka.from_binary(message, JSONFormat())
    assert event.get_specversion() == "1.0"
    assert event.get_id() == event_id
    assert event.get_source() == "/clinic/booking"
    assert event.get_type() == AppointmentBooked.event_type
    assert event.get_time() == TIME
    assert event.get_subject() == f"appointment/{PAYLOAD.appointment_id}"
    assert event.get_datacontenttype() == "application/json"
    assert event.get_extension("tenantid") == str(TENANT)
    assert event.get_extension("traceparent") == TRACEPARENT
    assert event.get_data() == PAYLOAD.model_dump(mode="json")
    # The SDK surfaces the Kafka key as `partitionkey`: ours is the primary practitioner.
    assert event.get_extension("partitionkey") == str(PAYLOAD.practitioner_id)


def test_the_sdk_reads_our_message_without_the_optional_attributes() -> None:
    ours = encode(PAYLOAD, source="/clinic/booking", tenantid=TENANT, time=TIME)
    message = sdk_kafka.KafkaMessage(headers=dict(ours.headers), key=ours.key, value=ours.value)
    event = sdk_kafka.from_binary(message, JSONFormat())
    assert event.get_subject() is None
    assert event.get_extension("traceparent") is None
    assert event.get_extension("tenantid") == str(TENANT)


def sdk_made(**extensions: str) -> sdk_kafka.KafkaMessage:
    attributes = {
        "id": "sdk-made-1",
        "source": "/analytics/replayer",
        "type": AppointmentBooked.event_type,
        "time": dt.datetime(2025, 1, 15, 1, 0, tzinfo=dt.UTC),
        "subject": "appointment/from-the-sdk",
        "datacontenttype": "application/json",
        "tenantid": str(TENANT),
        "partitionkey": str(PAYLOAD.practitioner_id),
        **extensions,
    }
    event = SdkEvent(attributes=attributes, data=PAYLOAD.model_dump(mode="json"))
    return sdk_kafka.to_binary(event, JSONFormat())


def test_we_decode_a_message_the_sdk_encodes() -> None:
    message = sdk_made(traceparent=TRACEPARENT)
    decoded = decode(list(message.headers.items()), message.value)
    envelope = decoded.envelope
    assert envelope.id == "sdk-made-1"
    assert envelope.source == "/analytics/replayer"
    assert envelope.type == AppointmentBooked.event_type
    assert envelope.time == dt.datetime(2025, 1, 15, 1, 0, tzinfo=dt.UTC)
    assert envelope.subject == "appointment/from-the-sdk"
    assert envelope.specversion == "1.0"
    assert envelope.tenantid == TENANT
    assert envelope.traceparent == TRACEPARENT
    assert decoded.payload == PAYLOAD
    assert message.key == str(PAYLOAD.practitioner_id)


def test_we_decode_an_sdk_message_without_trace_context() -> None:
    message = sdk_made()
    decoded = decode(list(message.headers.items()), message.value)
    assert decoded.envelope.traceparent is None
    assert json.loads(message.value) == PAYLOAD.model_dump(mode="json")
