"""Consumer-driven contracts: what each consuming service reads, checked against producers.

A consuming service declares a :class:`ConsumerContract` (``reads(EventClass, field=Type, …)``
per event type it handles) and publishes it as an entry point; ``python -m
clinic_contracts.consumers`` checks every installed one against the current models and the
committed schemas.
"""

from clinic_contracts.consumers.check import (
    COMMITTED,
    CURRENT,
    Violation,
    check_all,
    check_contract,
    check_subscriptions,
)
from clinic_contracts.consumers.declaration import (
    ENTRY_POINT_GROUP,
    ConsumerContract,
    FieldTypes,
    Reliance,
    reads,
)
from clinic_contracts.consumers.discovery import installed_contracts
from clinic_contracts.consumers.fit import Misfit, expected_schema, misfits

__all__ = [
    "COMMITTED",
    "CURRENT",
    "ENTRY_POINT_GROUP",
    "ConsumerContract",
    "FieldTypes",
    "Misfit",
    "Reliance",
    "Violation",
    "check_all",
    "check_contract",
    "check_subscriptions",
    "expected_schema",
    "installed_contracts",
    "misfits",
    "reads",
]
