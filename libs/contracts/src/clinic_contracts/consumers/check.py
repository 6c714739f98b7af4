"""Check consumer contracts against what producers publish, naming the consumer and the field.

Each contract is checked against two schema sets: the producers' current models (what the next
release will publish) and the committed snapshots (what is published now and what ``export``
guards). A relied-on event type that disappeared, a field removed, retyped, made optional or
nullable, or an enum widened beyond what the consumer handles: each is one ``Violation``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from clinic_contracts.consumers.declaration import ConsumerContract
from clinic_contracts.consumers.fit import expected_schema, misfits
from clinic_contracts.schema import JsonSchema
from clinic_contracts.subscriptions import CONSUMER_GROUPS

CURRENT = "current models"
COMMITTED = "committed schemas"
SUBSCRIPTIONS = "subscriptions"


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken reliance: who relies on what, what is wrong, and in which schema set."""

    consumer: str
    event_type: str
    field: str | None
    problem: str
    source: str

    def __str__(self) -> str:
        what = self.event_type + (f" field {self.field!r}" if self.field else "")
        return f"{self.consumer} relies on {what}: {self.problem} ({self.source})"


def check_contract(
    contract: ConsumerContract, schemas: Mapping[str, JsonSchema], source: str
) -> list[Violation]:
    """Every reliance of ``contract`` that ``schemas`` (by event type) no longer satisfies."""
    found: list[Violation] = []
    for reliance in contract.relies_on:
        consumer, event_type = contract.consumer, reliance.event_type
        produced = schemas.get(event_type)
        if produced is None:
            problem = "the event type is no longer published"
            found.append(Violation(consumer, event_type, None, problem, source))
            continue
        for misfit in misfits(produced, expected_schema(reliance.fields)):
            found.append(Violation(consumer, event_type, misfit.path, misfit.problem, source))
    return found


def check_subscriptions(
    contract: ConsumerContract,
    schemas: Mapping[str, JsonSchema],
    groups: Mapping[str, tuple[str, ...]] = CONSUMER_GROUPS,
) -> list[Violation]:
    """Reliances on topics the consumer's group does not read (it would never see them)."""
    topics = groups.get(contract.consumer)
    if topics is None:
        problem = "no consumer group of that name is declared in CONSUMER_GROUPS"
        return [Violation(contract.consumer, "*", None, problem, SUBSCRIPTIONS)]
    found: list[Violation] = []
    for reliance in contract.relies_on:
        topic = schemas.get(reliance.event_type, {}).get("x-topic")
        if topic is not None and topic not in topics:
            problem = f"it is published on {topic}, which the group does not read"
            found.append(Violation(contract.consumer, reliance.event_type, None, problem, CURRENT))
    return found


def check_all(
    contracts: Sequence[ConsumerContract],
    current: Mapping[str, JsonSchema],
    committed: Mapping[str, JsonSchema],
    groups: Mapping[str, tuple[str, ...]] = CONSUMER_GROUPS,
) -> list[Violation]:
    """Every contract against both schema sets; every consumer group must have declared one."""
    found: list[Violation] = []
    declared = [contract.consumer for contract in contracts]
    for group in sorted(set(groups) - set(declared)):
        problem = "the group declares no consumer contract (entry point missing)"
        found.append(Violation(group, "*", None, problem, SUBSCRIPTIONS))
    for twice in sorted({name for name in declared if declared.count(name) > 1}):
        problem = "more than one contract is published under this name"
        found.append(Violation(twice, "*", None, problem, SUBSCRIPTIONS))
    for contract in contracts:
        found += check_subscriptions(contract, current, groups)
        found += check_contract(contract, current, CURRENT)
        found += check_contract(contract, committed, COMMITTED)
    return found
