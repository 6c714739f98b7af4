"""Errors raised by the contracts package.

Hierarchy::

    ContractError
    ├── InvalidEnvelope      (also a ValueError: a message's CloudEvents headers are wrong)
    └── UnknownEventType     (also a LookupError: no payload class is registered for a type)
"""


class ContractError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidEnvelope(ContractError, ValueError):
    """A Kafka message's CloudEvents headers are missing or invalid."""


class UnknownEventType(ContractError, LookupError):
    """No payload class is registered under the given event type."""
