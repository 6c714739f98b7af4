"""The hold sweeper: marks lapsed holds released and says so (they already block nothing)."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from booking.service.events import subject
from booking.store import appointments as store
from booking.store.audit import append_audit
from clinic_contracts import AppointmentStatus, HoldReleased, HoldReleaseReason
from clinic_platform.auth import Principal
from clinic_platform.runtime import Runtime, Worker
from clinic_platform.store.sessions import system_transaction

log = logging.getLogger(__name__)


async def sweep_once(runtime: Runtime) -> int:
    """Release every lapsed hold, one tenant transaction each; return how many."""
    async with system_transaction(runtime.sessions) as session:
        lapsed = [(r.id, r.tenant_id) for r in await store.lapsed_holds(session)]
    for hold_id, tenant_id in lapsed:
        actor = Principal("system:hold-sweeper", tenant_id, frozenset({"service"}))
        async with runtime.unit_of_work(tenant_id) as uow:
            hold = await store.get(uow.session, hold_id, lock=True)
            if hold is None or hold.status is not AppointmentStatus.HELD:
                continue  # converted or released meanwhile
            await store.vacate(uow.session, hold_id)
            after = await store.change(
                uow.session,
                hold_id,
                status=AppointmentStatus.CANCELLED.value,
                cancelled_by="system",
                reason="hold expired",
            )
            uow.record(
                HoldReleased(
                    hold_id=hold_id,
                    practitioner_id=hold.practitioner_ids[0],
                    reason=HoldReleaseReason.EXPIRED,
                ),
                subject=subject(after),
            )
            await append_audit(
                uow.session,
                actor,
                entity_type="appointment",
                entity_id=hold_id,
                action="expired",
                before={"status": "held"},
                after={"status": after.status.value},
            )
            await uow.commit()
    return len(lapsed)


def hold_sweeper(runtime: Runtime, every_s: float = 15.0) -> Worker:
    """A runtime worker running `sweep_once` every `every_s` seconds until stopped."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await sweep_once(runtime)
            except Exception:  # a failed sweep is retried at the next tick
                log.exception("hold sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every_s)

    return run
