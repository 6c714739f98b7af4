"""The catalog's cross-field rules, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from booking.domain.catalog import (
    AppointmentTypeSpec,
    Equipment,
    Location,
    PractitionerSpec,
    Room,
    check_appointment_type,
    check_practitioner,
    refuse_in_use,
)
from booking.domain.patients import Patient, PatientSpec, changed_fields, check_patient, redacted
from clinic_contracts.events.catalog import ConsultationMode, PractitionerStatus
from clinic_contracts.events.patients import ContactChannel
from clinic_platform.errors import Conflict, RuleViolation

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SITE, OTHER_SITE = uuid4(), uuid4()


def _life(**fields: Any) -> dict[str, Any]:
    return {"id": uuid4(), "created_at": NOW, "updated_at": NOW, **fields}


def _room(location_id: UUID = SITE, **fields: Any) -> Room:
    return Room(**_life(location_id=location_id, name="R", **fields))


def _equipment(location_id: UUID = SITE, **fields: Any) -> Equipment:
    return Equipment(**_life(location_id=location_id, name="E", **fields))


def _type(
    room: Room | None = None, equipment: tuple[Equipment, ...] = (), **fields: Any
) -> AppointmentTypeSpec:
    values: dict[str, Any] = {
        "slug": "visit",
        "name": "Visit",
        "duration_minutes": 30,
        "price": Decimal("10"),
        "currency": "EUR",
        "default_room_id": room.id if room else None,
        "required_equipment_ids": [e.id for e in equipment],
    }
    return AppointmentTypeSpec(**(values | fields))


def _violation(call: Any) -> tuple[str, str | None]:
    with pytest.raises(RuleViolation) as caught:
        call()
    return caught.value.code, caught.value.field


@pytest.mark.parametrize("devices", [0, 1, 3])
def test_a_type_with_a_room_and_equipment_at_one_site_passes(devices: int) -> None:
    room = _room()
    probes = tuple(_equipment() for _ in range(devices))
    assert check_appointment_type(_type(room, probes), room, list(probes)) is None
    if probes:  # the same type with its last device at another site is refused
        moved = (*probes[:-1], _equipment(OTHER_SITE))
        found = _violation(lambda: check_appointment_type(_type(room, moved), room, list(moved)))
        assert found == ("equipment_elsewhere", "required_equipment_ids")


def test_equipment_at_another_site_than_the_room_is_refused() -> None:
    room, probe = _room(), _equipment(OTHER_SITE)
    found = _violation(lambda: check_appointment_type(_type(room, (probe,)), room, [probe]))
    assert found == ("equipment_elsewhere", "required_equipment_ids")


def test_a_retired_room_is_unknown() -> None:
    room = _room(retired_at=NOW)
    found = _violation(lambda: check_appointment_type(_type(room), room, []))
    assert found == ("unknown_room", "default_room_id")


def test_missing_equipment_is_unknown_and_listed() -> None:
    probe = _equipment()
    with pytest.raises(RuleViolation) as caught:
        check_appointment_type(_type(None, (probe,)), None, [])
    assert caught.value.code == "unknown_equipment"
    assert caught.value.extra == {"ids": [str(probe.id)]}


@pytest.mark.parametrize(
    ("mode", "virtual", "code"),
    [
        (ConsultationMode.VIDEO, False, "room_mode_mismatch"),
        (ConsultationMode.IN_PERSON, True, "room_mode_mismatch"),
        (ConsultationMode.PHONE, False, "room_not_allowed"),
    ],
)
def test_the_room_must_suit_the_consultation_mode(
    mode: ConsultationMode, virtual: bool, code: str
) -> None:
    room = _room(virtual=virtual)
    spec = _type(room, consultation_mode=mode)
    assert _violation(lambda: check_appointment_type(spec, room, [])) == (code, "default_room_id")


def test_a_minimum_notice_past_the_horizon_leaves_nothing_bookable() -> None:
    spec = _type(max_future_days=1, min_notice_minutes=2 * 24 * 60)
    found = _violation(lambda: check_appointment_type(spec, None, []))
    assert found == ("notice_beyond_horizon", "min_notice_minutes")


def test_negative_buffers_and_lowercase_currencies_fail_field_validation() -> None:
    with pytest.raises(ValidationError) as caught:
        _type(buffer_before_minutes=-1, currency="eur")
    assert {e["loc"][0] for e in caught.value.errors()} == {"buffer_before_minutes", "currency"}


def test_an_active_practitioner_needs_a_live_location() -> None:
    site = Location(**_life(name="A", timezone="Asia/Taipei", retired_at=NOW))
    spec = PractitionerSpec(display_name="Dr", status="active", location_ids=[site.id])
    assert _violation(lambda: check_practitioner(spec, None, [site])) == (
        "unknown_location",
        "location_ids",
    )
    alone = PractitionerSpec(display_name="Dr", status="active")
    assert _violation(lambda: check_practitioner(alone, None, [])) == (
        "location_required",
        "location_ids",
    )


def test_a_published_practitioner_never_returns_to_draft() -> None:
    draft = PractitionerSpec(display_name="Dr")
    check_practitioner(draft, PractitionerStatus.DRAFT, [])
    assert _violation(lambda: check_practitioner(draft, PractitionerStatus.INACTIVE, [])) == (
        "status_transition",
        "status",
    )


def test_retiring_something_in_use_is_a_conflict_naming_what_uses_it() -> None:
    refuse_in_use("room", 0, "appointment types")
    with pytest.raises(Conflict) as caught:
        refuse_in_use("room", 2, "appointment types")
    assert caught.value.code == "room_in_use"
    assert caught.value.extra == {"used_by": "appointment types", "count": 2}


def test_a_patient_preferring_line_needs_a_line_id() -> None:
    spec = PatientSpec(name="Mei", preferred_channel=ContactChannel.LINE)
    assert _violation(lambda: check_patient(spec)) == (
        "channel_contact_missing",
        "preferred_channel",
    )


def test_the_audit_view_of_a_patient_hides_contact_values_but_not_changes() -> None:
    before = Patient(**_life(name="Mei", email="mei@example.org"))
    after = before.model_copy(update={"email": "new@example.org", "preferred_language": "ja"})
    assert redacted(after) == {
        "name": "[redacted]",
        "email": "[redacted]",
        "phone": None,
        "line_user_id": None,
        "preferred_language": "ja",
        "preferred_channel": ContactChannel.EMAIL,
        "timezone": None,
    }
    assert changed_fields(before, after) == ["email", "preferred_language"]
