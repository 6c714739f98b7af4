"""Find the consumer contracts that the installed services publish as entry points.

Services never import each other and this library never imports a service: each consuming
service names its contract in its ``pyproject.toml``::

    [project.entry-points."clinic_contracts.consumers"]
    schedules = "schedules.events.relies_on:RELIES_ON"
"""

from __future__ import annotations

from importlib.metadata import entry_points

from clinic_contracts.consumers.declaration import ENTRY_POINT_GROUP, ConsumerContract


def installed_contracts() -> list[ConsumerContract]:
    """Every published contract, by consumer name; refuses an entry point that lies about it."""
    found: list[ConsumerContract] = []
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        contract = point.load()
        if not isinstance(contract, ConsumerContract):
            raise TypeError(f"entry point {point.name} ({point.value}) is not a ConsumerContract")
        if contract.consumer != point.name:
            raise ValueError(f"entry point {point.name} publishes {contract.consumer}'s contract")
        found.append(contract)
    return found
