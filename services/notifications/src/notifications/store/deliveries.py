"""The delivery log: planned once per key, claimed with SKIP LOCKED, every attempt recorded."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import RowMapping, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from notifications.domain.model import DeliveryState, Kind
from notifications.store.tables import deliveries, delivery_attempts

ACTIVE = (DeliveryState.PENDING.value, DeliveryState.SENDING.value)


async def add(
    session: AsyncSession, *, tenant_id: UUID, delivery_key: str, **values: Any
) -> UUID | None:
    """Plan a delivery; None when its key was planned before (a redelivered event)."""
    statement = (
        pg_insert(deliveries)
        .values(id=uuid4(), tenant_id=tenant_id, delivery_key=delivery_key, **values)
        .on_conflict_do_nothing(constraint="uq_deliveries_key")
        .returning(deliveries.c.id)
    )
    added: UUID | None = (await session.execute(statement)).scalar_one_or_none()
    return added


async def claim_due(session: AsyncSession, limit: int, lease: timedelta) -> Sequence[RowMapping]:
    """Take up to `limit` due deliveries (pending, or sending whose lease ran out) for this
    sender: they become `sending` until the lease ends. Other replicas skip locked rows."""
    due = (
        select(deliveries.c.id)
        .where(deliveries.c.state.in_(ACTIVE), deliveries.c.next_attempt_at <= func.now())
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = (
        update(deliveries)
        .where(deliveries.c.id.in_(due))
        .values(state=DeliveryState.SENDING.value, next_attempt_at=func.now() + lease)
        .returning(*deliveries.c)
    )
    return (await session.execute(claimed)).mappings().all()


async def get(session: AsyncSession, delivery_id: UUID) -> RowMapping | None:
    """One delivery of the transaction's tenant."""
    found = await session.execute(select(deliveries).where(deliveries.c.id == delivery_id))
    return found.mappings().first()


async def change(session: AsyncSession, delivery_id: UUID, **values: Any) -> bool:
    """Update a delivery still being sent (a retaken one is no longer ours to change)."""
    statement = (
        update(deliveries)
        .where(deliveries.c.id == delivery_id, deliveries.c.state == DeliveryState.SENDING.value)
        .values(**values)
        .returning(deliveries.c.id)
    )
    return (await session.execute(statement)).first() is not None


async def defer(session: AsyncSession, delivery_id: UUID, until: datetime) -> None:
    """Give a delivery back to the queue until `until` (its replicas have not arrived yet)."""
    await change(session, delivery_id, state=DeliveryState.PENDING.value, next_attempt_at=until)


async def record_attempt(
    session: AsyncSession,
    delivery: Mapping[str, Any],
    attempt: int,
    outcome: str,
    detail: str | None,
) -> None:
    """Log one attempt and count it on the delivery."""
    await session.execute(
        insert(delivery_attempts).values(
            tenant_id=delivery["tenant_id"],
            delivery_id=delivery["id"],
            attempt=attempt,
            channel=delivery["channel"],
            outcome=outcome,
            detail=detail,
        )
    )
    await session.execute(
        update(deliveries).where(deliveries.c.id == delivery["id"]).values(attempts=attempt)
    )


async def withdraw_pending(
    session: AsyncSession, appointment_id: UUID, kind: Kind, reason: str
) -> int:
    """Withdraw not-yet-sent deliveries of one kind for an appointment; how many."""
    statement = (
        update(deliveries)
        .where(
            deliveries.c.appointment_id == appointment_id,
            deliveries.c.kind == kind.value,
            deliveries.c.state == DeliveryState.PENDING.value,
        )
        .values(state=DeliveryState.WITHDRAWN.value, last_error=reason)
    )
    return (await session.execute(statement)).rowcount or 0  # type: ignore[attr-defined]


async def of_appointment(session: AsyncSession, appointment_id: UUID) -> Sequence[RowMapping]:
    """Every delivery about an appointment, oldest first."""
    rows = await session.execute(
        select(deliveries)
        .where(deliveries.c.appointment_id == appointment_id)
        .order_by(deliveries.c.created_at, deliveries.c.id)
    )
    return rows.mappings().all()


async def attempts_of(session: AsyncSession, ids: Sequence[UUID]) -> Sequence[RowMapping]:
    """The attempts of these deliveries, in order."""
    rows = await session.execute(
        select(delivery_attempts)
        .where(delivery_attempts.c.delivery_id.in_(ids))
        .order_by(delivery_attempts.c.delivery_id, delivery_attempts.c.attempt)
    )
    return rows.mappings().all()


async def erase_recipient(session: AsyncSession, recipient_id: UUID) -> None:
    """Scrub a patient's address and message texts from the log; withdraw what is unsent."""
    await session.execute(
        update(deliveries)
        .where(deliveries.c.recipient_id == recipient_id, deliveries.c.state.in_(ACTIVE))
        .values(state=DeliveryState.WITHDRAWN.value, last_error="patient erased")
    )
    await session.execute(
        update(deliveries)
        .where(deliveries.c.recipient_id == recipient_id)
        .values(
            recipient_address=None,
            subject=None,
            body_text=None,
            body_html=None,
            context=deliveries.c.context.op("-")("reason"),  # free text may be personal
        )
    )


async def by_key(session: AsyncSession, delivery_key: str) -> RowMapping | None:
    """The delivery planned under `delivery_key` in the transaction's tenant."""
    found = await session.execute(
        select(deliveries).where(deliveries.c.delivery_key == delivery_key)
    )
    return found.mappings().first()
