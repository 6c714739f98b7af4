"""The dispatcher: claims due deliveries, composes them, sends with retries, records outcomes.

State machine of a delivery: pending → sending (claimed; its lease in `next_attempt_at`) →
sent | failed, or withdrawn. Crash between "provider accepted" and "marked sent": the row is
still `sending`; when its lease ends another sender retakes it and sends it again with the
same idempotency key (email Message-ID, SMS Idempotency-Key, LINE X-Line-Retry-Key, webhook
X-Clinic-Delivery-Id). We chose at-least-once for that window of a few milliseconds: a
missed reminder costs a clinic a no-show; a provider that honours the key drops the copy.
A row already `sent` is never sent again, and an event redelivered by Kafka plans nothing new.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_chain,
    wait_fixed,
)

from clinic_platform.runtime import Runtime, Worker
from clinic_platform.secrets import SecretBox
from clinic_platform.store.sessions import system_transaction, tenant_transaction
from notifications.channels import Outgoing, PermanentFailure, RetryableFailure, Senders
from notifications.config import Settings
from notifications.domain.model import Channel, DeliveryState, Kind
from notifications.domain.reminders import ACTIVE_STATUSES
from notifications.service import outcomes
from notifications.service.compose import Composed, Drop, Wait, compose
from notifications.store import deliveries, lookups
from notifications.store import settings as settings_store

log = logging.getLogger(__name__)
WAIT_FOR_REPLICAS = timedelta(seconds=2)


class Stopping(Exception):
    """The service is shutting down in the middle of a retry wait."""


class Dispatcher:
    """Sends what is due; safe with several replicas (SKIP LOCKED claims, leases)."""

    def __init__(
        self, runtime: Runtime, settings: Settings, senders: Senders, secrets: SecretBox
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.senders = senders
        self.secrets = secrets
        self._stop = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.dispatch_concurrency)

    async def run_once(self) -> int:
        """Claim one batch and see each delivery through; returns how many were claimed."""
        lease = timedelta(seconds=self.settings.lease_s)
        async with system_transaction(self.runtime.sessions) as session:
            claimed = await deliveries.claim_due(session, self.settings.dispatch_concurrency, lease)
        await asyncio.gather(*(self._guarded(dict(row)) for row in claimed))
        return len(claimed)

    def worker(self) -> Worker:
        """A runtime worker: batches back to back while there is work, else a short poll."""

        async def run(stop: asyncio.Event) -> None:
            self._stop = stop
            while not stop.is_set():
                try:
                    busy = await self.run_once()
                except Exception:  # the database is away: try again at the next tick
                    log.exception("dispatch batch failed")
                    busy = 0
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.dispatch_poll_interval_s)

        return run

    async def _guarded(self, delivery: dict[str, Any]) -> None:
        async with self._slots:
            try:
                await self.deliver(delivery)
            except Stopping:
                await self._give_back(delivery["tenant_id"], delivery["id"])
            except Exception:  # left `sending`: retaken when its lease ends
                log.exception("delivery %s interrupted", delivery["id"])

    async def deliver(self, delivery: dict[str, Any]) -> None:
        """Prepare the claimed delivery, then send it unless it must no longer go out."""
        prepared = await self._prepare(delivery)
        if isinstance(prepared, Drop):
            await self._drop(delivery, prepared)
            return
        if prepared is None:
            return
        message, stale = prepared
        if stale:
            await outcomes.withdraw(self.runtime, delivery, stale)
            return
        await self._send(delivery, message)

    async def _prepare(self, delivery: dict[str, Any]) -> tuple[Outgoing, str | None] | Drop | None:
        now = datetime.now(UTC)
        async with tenant_transaction(self.runtime.sessions, delivery["tenant_id"]) as session:
            if delivery["body_text"] is None:
                composed = await compose(session, delivery, self.senders.available, now)
                if isinstance(composed, Wait):
                    await deliveries.defer(session, delivery["id"], now + WAIT_FOR_REPLICAS)
                    return None
                if isinstance(composed, Drop):
                    return composed
                delivery.update(_columns(composed))
                await deliveries.change(session, delivery["id"], **_columns(composed))
            stale = await _stale(session, delivery, now)
            secret = None
            if delivery["channel"] == Channel.WEBHOOK:
                tenant = await settings_store.tenant(session, delivery["tenant_id"])
                sealed = tenant["webhook_secret"]
                secret = self.secrets.open(sealed) if sealed else None
        return _outgoing(delivery, secret), stale

    async def _drop(self, delivery: dict[str, Any], drop: Drop) -> None:
        if drop.state is DeliveryState.FAILED:
            await outcomes.mark_failed(self.runtime, delivery, 0, "permanent", drop.reason)
        else:
            await outcomes.withdraw(self.runtime, delivery, drop.reason)

    async def _send(self, delivery: Mapping[str, Any], message: Outgoing) -> None:
        sender = self.senders[Channel(delivery["channel"])]
        done = delivery["attempts"]
        waits = self.settings.delivery_retry_waits_s
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=wait_chain(*(wait_fixed(w) for w in waits)) if waits else wait_fixed(0),
            retry=retry_if_exception_type(RetryableFailure),
            sleep=self._sleep,
            reraise=True,
        )
        attempt = done
        try:
            async for trying in retrying:
                with trying:
                    attempt = done + trying.retry_state.attempt_number
                    try:
                        await sender.send(message)
                    except RetryableFailure as exc:
                        if trying.retry_state.attempt_number < self.settings.max_attempts:
                            await outcomes.log_attempt(
                                self.runtime, delivery, attempt, "retryable", str(exc)
                            )
                        raise
        except RetryableFailure as exc:
            await outcomes.mark_failed(self.runtime, delivery, attempt, "retryable", str(exc))
        except PermanentFailure as exc:
            await outcomes.mark_failed(self.runtime, delivery, attempt, "permanent", str(exc))
        else:
            await outcomes.mark_sent(self.runtime, delivery, attempt)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), seconds)
        if self._stop.is_set():
            raise Stopping

    async def _give_back(self, tenant_id: UUID, delivery_id: UUID) -> None:
        # Shutting down mid-retry: the next sender may take it at once, not after the lease.
        async with tenant_transaction(self.runtime.sessions, tenant_id) as session:
            await deliveries.defer(session, delivery_id, datetime.now(UTC))


def _columns(composed: Composed) -> dict[str, Any]:
    return {
        "channel": composed.channel.value,
        "recipient_address": composed.address,
        "language": composed.language,
        "subject": composed.rendered.subject,
        "body_text": composed.rendered.text,
        "body_html": composed.rendered.html,
    }


async def _stale(session: Any, delivery: Mapping[str, Any], now: datetime) -> str | None:
    """Why the delivery must no longer go out, if it must not (reminders only)."""
    if delivery["not_after"] is not None and now >= delivery["not_after"]:
        return "appointment already started"
    if delivery["kind"] != Kind.REMINDER or delivery["appointment_id"] is None:
        return None
    appointment = await lookups.appointment(session, delivery["appointment_id"])
    if appointment is None or appointment["status"] not in ACTIVE_STATUSES:
        return "appointment no longer active"
    if appointment["start_at"] != datetime.fromisoformat(delivery["context"]["start"]):
        return "appointment moved"
    return None


def _outgoing(delivery: Mapping[str, Any], secret: str | None) -> Outgoing:
    return Outgoing(
        delivery_id=delivery["id"],
        tenant_id=delivery["tenant_id"],
        address=delivery["recipient_address"] or "",
        text=delivery["body_text"] or "",
        language=delivery["language"] or "en",
        subject=delivery["subject"],
        html=delivery["body_html"],
        event_type=delivery["context"].get("event_type"),
        secret=secret,
    )
