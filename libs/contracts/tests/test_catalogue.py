"""The registry, the topic declarations and the public API agree with each other."""

import inspect

import pytest

import clinic_contracts
from clinic_contracts import (
    EVENT_TYPES,
    TOPICS,
    EventPayload,
    UnknownEventType,
    dlq_topic,
    payload_class,
)


def concrete_payload_classes() -> set[type[EventPayload]]:
    found: set[type[EventPayload]] = set()
    pending = list(EventPayload.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if "event_type" in vars(cls):
            found.add(cls)
    return found


def test_every_payload_class_is_registered_under_its_own_type() -> None:
    assert concrete_payload_classes() == set(EVENT_TYPES.values())
    assert all(EVENT_TYPES[cls.event_type] is cls for cls in concrete_payload_classes())


def test_every_event_type_names_version_one_and_a_declared_topic() -> None:
    topics = {spec.name: spec for spec in TOPICS}
    for event_type, cls in EVENT_TYPES.items():
        assert event_type.startswith("clinic.")
        assert event_type.endswith(".v1")
        assert cls.topic in topics
        assert event_type in topics[cls.topic].event_types


def test_every_payload_declares_a_key_field_that_exists() -> None:
    for cls in EVENT_TYPES.values():
        assert cls.key_field in cls.model_fields, cls.__name__


def test_every_payload_field_is_documented() -> None:
    for cls in EVENT_TYPES.values():
        for name, field in cls.model_fields.items():
            assert field.description, f"{cls.__name__}.{name}"


def test_an_unknown_event_type_raises_a_lookup_error() -> None:
    with pytest.raises(UnknownEventType, match=r"clinic\.nothing\.v1"):
        payload_class("clinic.nothing.v1")
    assert issubclass(UnknownEventType, LookupError)


def test_topics_are_unique_and_catalog_and_patients_are_compacted() -> None:
    names = [spec.name for spec in TOPICS]
    assert len(names) == len(set(names)) == 6
    compacted = {spec.name for spec in TOPICS if spec.compacted}
    assert compacted == {"booking.catalog.v1", "booking.patients.v1"}
    assert {spec.name for spec in TOPICS if spec.restricted} == {"booking.patients.v1"}


def test_topic_kafka_config_states_policy_and_retention() -> None:
    catalog = next(spec for spec in TOPICS if spec.name == "booking.catalog.v1")
    assert catalog.kafka_config() == {"cleanup.policy": "compact", "retention.ms": "-1"}


def test_a_dead_letter_topic_is_named_after_topic_and_group() -> None:
    assert dlq_topic("booking.appointments.v1", "schedules") == (
        "booking.appointments.v1.dlq.schedules"
    )


def isort_style(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions: the order ruff's RUF022 keeps."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_all_is_sorted_and_every_name_exists() -> None:
    assert clinic_contracts.__all__ == sorted(clinic_contracts.__all__, key=isort_style)
    assert len(set(clinic_contracts.__all__)) == len(clinic_contracts.__all__)
    for name in clinic_contracts.__all__:
        assert hasattr(clinic_contracts, name), name


def test_every_public_payload_class_is_exported() -> None:
    public = {
        cls.__name__
        for cls in [*concrete_payload_classes(), *EventPayload.__subclasses__()]
        if not cls.__name__.startswith("_") and inspect.isclass(cls)
    }
    assert public <= set(clinic_contracts.__all__)
