"""The read guard: handlers see only declared fields, and an undeclared read is named."""

import datetime as dt
from typing import Any
from uuid import UUID, uuid4

import pytest

from clinic_contracts import AppointmentBooked, CloudEvent, LocationUpserted
from clinic_contracts.consumers import ConsumerContract, reads
from clinic_platform.inbox import EventHandler, ReceivedEvent
from clinic_testkit.consumer_contracts import ReadGuard, UndeclaredRead, declared_only

BOOKED = AppointmentBooked.model_validate(AppointmentBooked.examples()[0])
CONTRACT = ConsumerContract(
    "demo", (reads(AppointmentBooked, appointment_id=UUID, start=dt.datetime),)
)


def received(payload: AppointmentBooked) -> ReceivedEvent:
    envelope = CloudEvent(
        source="/test", type=payload.event_type, time=dt.datetime.now(dt.UTC), tenantid=uuid4()
    )
    return ReceivedEvent(envelope, payload, payload.topic, 0, 0)


def test_a_stripped_payload_keeps_its_class_and_the_declared_fields_only() -> None:
    stripped = declared_only(BOOKED, {"appointment_id", "start"})
    assert type(stripped) is AppointmentBooked
    assert (stripped.appointment_id, stripped.start) == (BOOKED.appointment_id, BOOKED.start)
    with pytest.raises(AttributeError, match="room_id"):
        _ = stripped.room_id
    assert BOOKED.room_id is not None  # the original is untouched


async def test_a_handler_reading_only_declared_fields_runs_unhindered() -> None:
    seen: list[Any] = []

    async def handler(session: Any, event: ReceivedEvent) -> None:
        assert isinstance(event.payload, AppointmentBooked)
        seen.append((event.payload.appointment_id, event.payload.start))

    handlers: dict[str, EventHandler] = {AppointmentBooked.event_type: handler}
    with ReadGuard(CONTRACT).installed(handlers) as guard:
        await handlers[AppointmentBooked.event_type](None, received(BOOKED))  # type: ignore[arg-type]
    assert seen == [(BOOKED.appointment_id, BOOKED.start)]
    assert guard.undeclared == []
    assert guard.seen == {AppointmentBooked.event_type}
    assert handlers[AppointmentBooked.event_type] is handler  # restored


async def test_a_handler_reading_an_undeclared_field_fails_and_is_named() -> None:
    async def handler(session: Any, event: ReceivedEvent) -> None:
        assert isinstance(event.payload, AppointmentBooked)
        _ = event.payload.room_id

    guard = ReadGuard(CONTRACT)
    with pytest.raises(AttributeError):
        await guard.wrap(AppointmentBooked.event_type, handler)(None, received(BOOKED))  # type: ignore[arg-type]
    assert guard.undeclared == [UndeclaredRead("demo", AppointmentBooked.event_type, "room_id")]
    assert "demo read 'room_id' of clinic.booking.appointment.booked.v1" in str(guard.undeclared[0])


async def test_an_event_type_the_contract_does_not_declare_is_stripped_bare() -> None:
    payload = LocationUpserted.model_validate(LocationUpserted.examples()[0])
    guard = ReadGuard(CONTRACT)

    async def handler(session: Any, event: ReceivedEvent) -> None:
        _ = event.payload.message_key()  # reads the key field

    event = ReceivedEvent(received(BOOKED).envelope, payload, payload.topic, 0, 0)
    with pytest.raises(AttributeError):
        await guard.wrap(LocationUpserted.event_type, handler)(None, event)  # type: ignore[arg-type]
    assert [u.field for u in guard.undeclared] == ["location_id"]
