"""Counters a service owns for its domain (bookings, deliveries), counted only once committed."""

from __future__ import annotations

from opentelemetry import metrics
from opentelemetry.metrics import Counter
from opentelemetry.util.types import Attributes
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "clinic_metrics_pending"


def domain_counter(name: str, *, unit: str, description: str) -> Counter:
    """A counter on the service's meter, e.g. `booking.appointments` (`…_total` in Prometheus)."""
    return metrics.get_meter("clinic.domain").create_counter(
        name, unit=unit, description=description
    )


def count_on_commit(
    session: AsyncSession | Session, counter: Counter, attributes: Attributes = None
) -> None:
    """Add 1 to `counter` when the session's transaction commits; nothing if it rolls back.

    Call it where the change is made, in the transaction that makes it: a use case that fails
    later, or a commit that fails, counts nothing. A count made inside a savepoint that is then
    rolled back still counts when the outer transaction commits: count after the savepoint.
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    sync.info.setdefault(_PENDING, []).append((counter, attributes))


@event.listens_for(Session, "after_commit")
def _add_pending(session: Session) -> None:
    for counter, attributes in session.info.pop(_PENDING, ()):
        counter.add(1, attributes)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outer transaction ended without a commit
        session.info.pop(_PENDING, None)
