"""The backward-compatibility checker finds each kind of breaking change, and only those."""

import copy

import pytest

from clinic_contracts import (
    AppointmentBooked,
    BreakingChange,
    ChangeKind,
    compare_schema_sets,
    event_schema,
    find_breaking_changes,
)

OLD = event_schema(AppointmentBooked)


def changed(mutate) -> dict:
    new = copy.deepcopy(OLD)
    mutate(new)
    return new


def test_an_unchanged_schema_has_no_breaking_changes() -> None:
    assert find_breaking_changes(OLD, copy.deepcopy(OLD)) == []


def test_a_new_optional_property_is_compatible() -> None:
    def add_optional(schema: dict) -> None:
        schema["properties"]["notes"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}

    assert find_breaking_changes(OLD, changed(add_optional)) == []


def test_making_a_required_property_optional_is_compatible() -> None:
    def make_optional(schema: dict) -> None:
        schema["required"].remove("patient_id")
        prop = schema["properties"]["patient_id"]
        schema["properties"]["patient_id"] = {"anyOf": [prop, {"type": "null"}]}

    assert find_breaking_changes(OLD, changed(make_optional)) == []


def test_a_removed_property_is_breaking() -> None:
    def remove(schema: dict) -> None:
        del schema["properties"]["series_id"]

    assert find_breaking_changes(OLD, changed(remove)) == [
        BreakingChange(ChangeKind.PROPERTY_REMOVED, "/properties/series_id", "property removed")
    ]


def test_a_changed_type_is_breaking() -> None:
    def retype(schema: dict) -> None:
        schema["properties"]["buffer_before_minutes"]["type"] = "string"

    [change] = find_breaking_changes(OLD, changed(retype))
    assert change.kind is ChangeKind.TYPE_CHANGED
    assert change.path == "/properties/buffer_before_minutes"


def test_a_changed_format_inside_an_optional_property_is_breaking() -> None:
    def reformat(schema: dict) -> None:
        schema["properties"]["series_id"]["anyOf"][0]["format"] = "uri"

    [change] = find_breaking_changes(OLD, changed(reformat))
    assert (change.kind, change.path) == (ChangeKind.TYPE_CHANGED, "/properties/series_id")
    assert "uuid" in change.detail


def test_an_optional_property_that_stops_accepting_null_is_breaking() -> None:
    def drop_null(schema: dict) -> None:
        schema["properties"]["room_id"] = schema["properties"]["room_id"]["anyOf"][0]

    [change] = find_breaking_changes(OLD, changed(drop_null))
    assert (change.kind, change.path) == (ChangeKind.TYPE_CHANGED, "/properties/room_id")


def test_a_removed_enum_value_in_defs_is_breaking() -> None:
    def drop_value(schema: dict) -> None:
        schema["$defs"]["AppointmentStatus"]["enum"].remove("no_show")

    [change] = find_breaking_changes(OLD, changed(drop_value))
    assert (change.kind, change.path) == (ChangeKind.TYPE_CHANGED, "/$defs/AppointmentStatus")
    assert "no_show" in change.detail


def test_an_added_enum_value_is_compatible() -> None:
    def add_value(schema: dict) -> None:
        schema["$defs"]["AppointmentStatus"]["enum"].append("arrived")

    assert find_breaking_changes(OLD, changed(add_value)) == []


def test_a_changed_reference_target_is_breaking() -> None:
    def retarget(schema: dict) -> None:
        schema["properties"]["status"]["$ref"] = "#/$defs/OtherStatus"

    [change] = find_breaking_changes(OLD, changed(retarget))
    assert (change.kind, change.path) == (ChangeKind.TYPE_CHANGED, "/properties/status")


def test_a_newly_required_property_is_breaking() -> None:
    def require(schema: dict) -> None:
        schema["required"].append("series_id")

    assert find_breaking_changes(OLD, changed(require)) == [
        BreakingChange(ChangeKind.NEWLY_REQUIRED, "/properties/series_id", "property now required")
    ]


def test_a_change_inside_an_array_of_nested_objects_is_found() -> None:
    old = {
        "type": "object",
        "properties": {
            "intervals": {
                "type": "array",
                "items": {"type": "object", "properties": {"start": {"type": "string"}}},
            }
        },
    }
    new = copy.deepcopy(old)
    del new["properties"]["intervals"]["items"]["properties"]["start"]
    assert [c.path for c in find_breaking_changes(old, new)] == [
        "/properties/intervals/items/properties/start"
    ]


def test_a_tightened_constraint_is_breaking() -> None:
    def tighten(schema: dict) -> None:
        schema["properties"]["buffer_after_minutes"]["minimum"] = 5

    [change] = find_breaking_changes(OLD, changed(tighten))
    assert change.kind is ChangeKind.CONSTRAINT_TIGHTENED


@pytest.mark.parametrize("present", [True, False])
def test_a_removed_event_type_is_breaking_in_a_schema_set(present: bool) -> None:
    committed = {AppointmentBooked.event_type: OLD}
    current = {AppointmentBooked.event_type: OLD} if present else {}
    changes = compare_schema_sets(committed, current)
    assert [c.kind for c in changes] == ([] if present else [ChangeKind.EVENT_TYPE_REMOVED])
