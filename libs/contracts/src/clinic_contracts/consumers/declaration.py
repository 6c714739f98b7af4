"""What a consuming service declares it reads of the events it handles.

A consumer names each event type it handles and, for each, the payload fields its code reads
with the Python type it reads them as (``UUID``, ``str``, ``datetime``, ``UUID | None``,
``list[UUID]``, a ``Literal`` of the values it handles, a small Pydantic model of the nested
fields it reads).
The type is the consumer's own expectation, pinned in its own code: a producer change that
stops fitting it fails the check even when the producer regenerated its committed schemas.
A type that admits ``None`` says the consumer copes with null or absence; any other type says it
needs the field in every message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from typing_extensions import TypeForm

from clinic_contracts.events.base import EventPayload

FieldTypes = Mapping[str, TypeForm[object]]
"""Field name -> the type a consumer reads it as; for fields shared by several event types."""

ENTRY_POINT_GROUP = "clinic_contracts.consumers"
"""Services publish their contract under this entry-point group, named after their group."""


@dataclass(frozen=True, slots=True)
class Reliance:
    """The fields one consumer reads of one event type, each with the type it reads it as."""

    event_type: str
    fields: FieldTypes


def reads(payload: type[EventPayload] | str, **fields: TypeForm[object]) -> Reliance:
    """``reads(LocationUpserted, location_id=UUID, name=str)``: a consumer's reliance on an event
    type (its class, or its ``event_type`` string) and on these fields of it."""
    event_type = payload if isinstance(payload, str) else payload.event_type
    return Reliance(event_type, MappingProxyType(dict(fields)))


@dataclass(frozen=True, slots=True)
class ConsumerContract:
    """Everything one consumer group (named like its service) reads of others' events."""

    consumer: str
    relies_on: tuple[Reliance, ...]

    def __post_init__(self) -> None:
        seen: set[str] = set()
        for reliance in self.relies_on:
            if reliance.event_type in seen:
                raise ValueError(f"{self.consumer} declares {reliance.event_type} twice")
            seen.add(reliance.event_type)

    @property
    def event_types(self) -> frozenset[str]:
        """Every event type the consumer handles."""
        return frozenset(r.event_type for r in self.relies_on)

    def fields_of(self, event_type: str) -> frozenset[str]:
        """The fields the consumer reads of ``event_type`` (none if it does not handle it)."""
        for reliance in self.relies_on:
            if reliance.event_type == event_type:
                return frozenset(reliance.fields)
        return frozenset()
