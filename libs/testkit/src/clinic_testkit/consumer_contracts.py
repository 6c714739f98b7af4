"""Keep a service's consumer contract honest against its handlers.

A contract (`clinic_contracts.consumers`) is only worth checking if it says what the handlers
really read. Two checks hold it there:

- the event types it declares are exactly the ones in the service's `HANDLERS`;
- handlers run on payloads stripped to the declared fields (`ReadGuard`): the other fields are
  removed from the payload instance, so reading one raises `AttributeError`, and the guard
  records which consumer read which undeclared field of which event type. Installed over a
  service's integration tests, every flow they drive becomes a check of the declaration.

The guard sees attribute reads only: a handler that relays the payload whole (`model_dump`)
simply relays fewer fields under it, which is why a relay is stated in the declaration's
docstring rather than detected here.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import CloudEvent, payload_class
from clinic_contracts.consumers import ConsumerContract, installed_contracts
from clinic_contracts.events.base import EventPayload
from clinic_platform.inbox import EventHandler, ReceivedEvent

P = TypeVar("P", bound=EventPayload)


def published_contract(consumer: str) -> ConsumerContract:
    """The contract the installed service publishes under its entry point."""
    found = [c for c in installed_contracts() if c.consumer == consumer]
    if len(found) != 1:
        raise LookupError(f"{len(found)} consumer contracts published as {consumer!r}")
    return found[0]


def declared_only(payload: P, fields: Collection[str]) -> P:
    """A copy of ``payload`` holding only ``fields``; reading another field raises."""
    stripped = payload.model_copy()
    state = object.__getattribute__(stripped, "__dict__")  # frozen models refuse delattr
    for name in type(payload).model_fields.keys() - set(fields):
        del state[name]
    return stripped


def example_events(event_type: str, tenant_id: UUID) -> list[ReceivedEvent]:
    """The event type's contract examples, as received now by a tenant's consumer."""
    cls = payload_class(event_type)
    envelope = CloudEvent(
        source="/clinic/testkit", type=event_type, time=datetime.now(UTC), tenantid=tenant_id
    )
    return [
        ReceivedEvent(envelope, cls.model_validate(example), cls.topic, 0, offset)
        for offset, example in enumerate(cls.examples())
    ]


@dataclass(frozen=True, slots=True)
class UndeclaredRead:
    """A handler read a field its service's contract does not declare."""

    consumer: str
    event_type: str
    field: str

    def __str__(self) -> str:
        return (
            f"{self.consumer} read {self.field!r} of {self.event_type}, which its consumer "
            f"contract (events/relies_on.py) does not declare"
        )


@dataclass
class ReadGuard:
    """Runs a service's handlers on payloads holding only what its contract declares."""

    contract: ConsumerContract
    undeclared: list[UndeclaredRead] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # event types handled under the guard

    def wrap(self, event_type: str, handler: EventHandler) -> EventHandler:
        """``handler``, fed the declared fields of each payload only."""
        fields = self.contract.fields_of(event_type)

        async def guarded(session: AsyncSession, event: ReceivedEvent) -> None:
            self.seen.add(event_type)
            stripped = declared_only(event.payload, fields)
            try:
                await handler(session, replace(event, payload=stripped))
            except AttributeError as error:
                for name in type(stripped).model_fields.keys() - fields:
                    if f"attribute {name!r}" in str(error):
                        self.undeclared.append(
                            UndeclaredRead(self.contract.consumer, event_type, name)
                        )
                raise

        return guarded

    @contextmanager
    def installed(self, handlers: MutableMapping[str, EventHandler]) -> Iterator[ReadGuard]:
        """Guard ``handlers`` in place (the dict the app is built from), restoring them after."""
        originals = dict(handlers)
        handlers.update({t: self.wrap(t, h) for t, h in originals.items()})
        try:
            yield self
        finally:
            handlers.update(originals)
