"""The consumer-contract checker: each producer change that breaks a declared reliance is named
with the consumer, the event type and the field; changes nobody relies on pass."""

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Literal
from uuid import UUID

import pytest
from typing_extensions import TypedDict  # pydantic needs this one on Python 3.11

from clinic_contracts import (
    AppointmentBooked,
    BusyTimesReplaced,
    LocationUpserted,
    PatientUpserted,
    consumers,
)
from clinic_contracts.consumers import (
    COMMITTED,
    CURRENT,
    ConsumerContract,
    Violation,
    check_all,
    check_contract,
    reads,
)
from clinic_contracts.schema import JsonSchema, current_schemas

SCHEMAS = current_schemas()
LOCATION = LocationUpserted.event_type
BOOKED = AppointmentBooked.event_type
BUSY = BusyTimesReplaced.event_type
PATIENT = PatientUpserted.event_type


class Interval(TypedDict):
    start: datetime
    end: datetime


DEMO = ConsumerContract(
    "schedules",
    (
        reads(LocationUpserted, location_id=UUID, name=str, timezone=str, active=bool),
        reads(AppointmentBooked, start=datetime, buffer_before_minutes=int, hold_id=UUID | None),
        reads(BusyTimesReplaced, intervals=list[Interval]),
        reads(PatientUpserted, preferred_channel=Literal["email", "sms", "line"]),
    ),
)


def changed(event_type: str, mutate: Callable[[JsonSchema], None]) -> dict[str, JsonSchema]:
    """The current schemas with one event type's schema changed by `mutate`."""
    schemas = copy.deepcopy(SCHEMAS)
    mutate(schemas[event_type])
    return schemas


def problems(schemas: dict[str, JsonSchema]) -> list[tuple[str, str | None, str]]:
    return [(v.event_type, v.field, v.problem) for v in check_contract(DEMO, schemas, CURRENT)]


def test_a_contract_the_producers_satisfy_has_no_violations() -> None:
    assert check_contract(DEMO, SCHEMAS, CURRENT) == []


def test_a_removed_field_names_the_consumer_the_event_and_the_field() -> None:
    def remove(schema: JsonSchema) -> None:
        del schema["properties"]["timezone"]
        schema["required"].remove("timezone")

    [violation] = check_contract(DEMO, changed(LOCATION, remove), CURRENT)
    assert violation == Violation(
        "schedules", LOCATION, "timezone", "is not in the payload", CURRENT
    )
    assert str(violation) == (
        "schedules relies on clinic.booking.location.upserted.v1 field 'timezone': "
        "is not in the payload (current models)"
    )


def test_a_retyped_field_is_a_violation() -> None:
    def retype(schema: JsonSchema) -> None:
        schema["properties"]["active"]["type"] = "string"

    assert problems(changed(LOCATION, retype)) == [
        (LOCATION, "active", "is string; read as boolean")
    ]


def test_a_changed_format_is_a_violation() -> None:
    def reformat(schema: JsonSchema) -> None:
        schema["properties"]["location_id"]["format"] = "uri"

    assert problems(changed(LOCATION, reformat)) == [
        (LOCATION, "location_id", "has format uri; read as uuid")
    ]


def test_a_field_made_optional_is_a_violation_even_though_compat_allows_it() -> None:
    def make_optional(schema: JsonSchema) -> None:
        schema["required"].remove("start")

    assert problems(changed(BOOKED, make_optional)) == [
        (BOOKED, "start", "is no longer required: a message may leave it out")
    ]


def test_a_field_made_nullable_is_a_violation() -> None:
    def make_nullable(schema: JsonSchema) -> None:
        prop = schema["properties"]["name"]
        schema["properties"]["name"] = {"anyOf": [prop, {"type": "null"}]}

    assert problems(changed(LOCATION, make_nullable)) == [
        (LOCATION, "name", "may be null; read as string")
    ]


def test_a_dropped_event_type_is_a_violation() -> None:
    schemas = copy.deepcopy(SCHEMAS)
    del schemas[BUSY]
    assert problems(schemas) == [(BUSY, None, "the event type is no longer published")]


def test_a_nested_field_is_named_by_its_path() -> None:
    def retype_nested(schema: JsonSchema) -> None:
        schema["$defs"]["UtcInterval"]["properties"]["start"]["type"] = "integer"

    assert problems(changed(BUSY, retype_nested)) == [
        (BUSY, "intervals[].start", "is integer; read as string")
    ]


def test_an_enum_value_the_consumer_does_not_handle_is_a_violation() -> None:
    def widen(schema: JsonSchema) -> None:
        schema["$defs"]["ContactChannel"]["enum"].append("whatsapp")

    [(event_type, field, problem)] = problems(changed(PATIENT, widen))
    assert (event_type, field) == (PATIENT, "preferred_channel")
    assert "['whatsapp'], which the consumer does not handle" in problem


def test_a_field_read_as_optional_tolerates_absence_but_not_removal() -> None:
    def make_required(schema: JsonSchema) -> None:
        schema["properties"]["hold_id"] = {"format": "uuid", "type": "string"}
        schema["required"].append("hold_id")

    def remove(schema: JsonSchema) -> None:
        del schema["properties"]["hold_id"]

    assert problems(changed(BOOKED, make_required)) == []
    assert problems(changed(BOOKED, remove)) == [(BOOKED, "hold_id", "is not in the payload")]


def test_changes_to_fields_nobody_declared_pass() -> None:
    def change_others(schema: JsonSchema) -> None:
        del schema["properties"]["address"]
        schema["properties"]["name"]["maxLength"] = 20  # bounds are the compat check's business

    assert problems(changed(LOCATION, change_others)) == []


@pytest.mark.parametrize(
    ("read_as", "produced", "fits"),
    [
        (int, {"type": "number"}, False),
        (float, {"type": "integer"}, True),
        (str, {}, False),
        (object, {"type": "integer"}, True),
    ],
)
def test_numbers_and_unconstrained_values(read_as: type, produced: JsonSchema, fits: bool) -> None:
    def replace(schema: JsonSchema) -> None:
        schema["properties"]["buffer_before_minutes"] = produced

    contract = ConsumerContract("x", (reads(AppointmentBooked, buffer_before_minutes=read_as),))
    found = check_contract(contract, changed(BOOKED, replace), CURRENT)
    assert (found == []) is fits


def test_a_break_only_in_the_committed_schemas_is_reported_as_such() -> None:
    def remove(schema: JsonSchema) -> None:
        del schema["properties"]["active"]

    groups = {"schedules": ("booking.catalog.v1", "booking.appointments.v1", "booking.patients.v1")}
    groups["schedules"] += ("calendar_sync.external.v1",)
    found = check_all([DEMO], SCHEMAS, changed(LOCATION, remove), groups)
    assert [(v.field, v.source) for v in found] == [("active", COMMITTED)]


def test_every_consumer_group_must_declare_a_contract_and_read_only_its_topics() -> None:
    groups = {"schedules": ("booking.catalog.v1",), "notifications": ("booking.patients.v1",)}
    found = check_all([DEMO], SCHEMAS, SCHEMAS, groups)
    assert "notifications: the group declares no consumer contract" in str(found[0]).replace(
        " relies on *", ""
    )
    unread = {v.event_type for v in found[1:]}
    assert unread == {BOOKED, BUSY, PATIENT}
    assert all("which the group does not read" in v.problem for v in found[1:])


def test_a_contract_declaring_an_event_type_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        ConsumerContract("x", (reads(LocationUpserted, name=str), reads(LOCATION, active=bool)))


def test_the_public_names_are_sorted_and_exist() -> None:
    assert consumers.__all__ == sorted(consumers.__all__, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(consumers, name) for name in consumers.__all__)
