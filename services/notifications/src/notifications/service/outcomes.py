"""Finishing a delivery: sent or failed, logged with its attempt and published via the outbox."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import NotificationFailed, NotificationSent
from clinic_platform.metrics import count_on_commit, domain_counter
from clinic_platform.runtime import Runtime
from clinic_platform.store.sessions import tenant_transaction
from notifications.domain.model import DeliveryState
from notifications.store import deliveries

log = logging.getLogger(__name__)
# Prometheus: clinic_notifications_deliveries_total{outcome="sent"|"failed", channel="email"|…}
DELIVERIES = domain_counter(
    "clinic.notifications.deliveries",
    unit="{delivery}",
    description="Deliveries marked sent or failed (once each), by outcome and channel.",
)


def _count(session: AsyncSession, delivery: Mapping[str, Any], outcome: str) -> None:
    channel = delivery["channel"] or "none"  # a delivery that failed before a channel was chosen
    count_on_commit(session, DELIVERIES, {"outcome": outcome, "channel": str(channel)})


def _common(delivery: Mapping[str, Any], attempts: int) -> dict[str, Any]:
    return {
        "delivery_id": delivery["id"],
        "recipient_id": delivery["recipient_id"],
        "appointment_id": delivery["appointment_id"],
        "event_id": delivery["event_id"],
        "channel": delivery["channel"],
        "template": delivery["kind"],
        "language": delivery["language"],
        "attempts": attempts,
    }


def _subject(delivery: Mapping[str, Any]) -> str:
    return f"delivery/{delivery['id']}"


async def log_attempt(
    runtime: Runtime, delivery: Mapping[str, Any], attempt: int, outcome: str, detail: str
) -> None:
    """Record a failed attempt that will be retried."""
    log.info("delivery %s attempt %d %s: %s", delivery["id"], attempt, outcome, detail)
    async with tenant_transaction(runtime.sessions, delivery["tenant_id"]) as session:
        await deliveries.record_attempt(session, delivery, attempt, outcome, detail)


async def mark_sent(runtime: Runtime, delivery: Mapping[str, Any], attempt: int) -> None:
    """The provider accepted it: log, mark sent and publish `notification.sent`, atomically."""
    now = datetime.now(UTC)
    log.info("delivery %s attempt %d sent via %s", delivery["id"], attempt, delivery["channel"])
    async with runtime.unit_of_work(delivery["tenant_id"]) as uow:
        await deliveries.record_attempt(uow.session, delivery, attempt, "sent", None)
        if await deliveries.change(
            uow.session,
            delivery["id"],
            state=DeliveryState.SENT.value,
            sent_at=now,
            last_error=None,
        ):
            uow.record(
                NotificationSent(**_common(delivery, attempt), sent_at=now),
                subject=_subject(delivery),
            )
            _count(uow.session, delivery, "sent")
        await uow.commit()


async def mark_failed(
    runtime: Runtime, delivery: Mapping[str, Any], attempt: int, outcome: str, reason: str
) -> None:
    """Give up: log, mark failed (message kept for inspection), publish `notification.failed`."""
    now = datetime.now(UTC)
    log.warning("delivery %s failed after %d attempt(s): %s", delivery["id"], attempt, reason)
    async with runtime.unit_of_work(delivery["tenant_id"]) as uow:
        if attempt > 0:
            await deliveries.record_attempt(uow.session, delivery, attempt, outcome, reason)
        changed = await deliveries.change(
            uow.session,
            delivery["id"],
            state=DeliveryState.FAILED.value,
            failed_at=now,
            last_error=reason[:1000],
        )
        if changed:
            _count(uow.session, delivery, "failed")
        if changed and delivery["channel"] is not None:
            uow.record(
                NotificationFailed(
                    **_common(delivery, max(attempt, 1)),
                    failed_at=now,
                    reason=reason[:1000],
                    will_retry=False,
                ),
                subject=_subject(delivery),
            )
        await uow.commit()


async def withdraw(runtime: Runtime, delivery: Mapping[str, Any], reason: str) -> None:
    """It must no longer go out (appointment started, cancelled, moved, patient erased)."""
    log.info("delivery %s withdrawn: %s", delivery["id"], reason)
    async with tenant_transaction(runtime.sessions, delivery["tenant_id"]) as session:
        await deliveries.change(
            session, delivery["id"], state=DeliveryState.WITHDRAWN.value, last_error=reason
        )
