"""Each handler of booking runs on the declared fields of each contract example alone."""

from typing import Any

import pytest

from booking.events import HANDLERS
from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.consumer_contracts import ReadGuard, example_events

pytestmark = pytest.mark.integration


async def test_every_handler_runs_on_its_examples_stripped_to_the_declared_fields(
    booking: Any, read_guard: ReadGuard
) -> None:
    runtime = booking.app.state.runtime
    for event_type, handler in HANDLERS.items():  # guarded by `read_guard`
        for event in example_events(event_type, booking.tenant_id):
            async with tenant_transaction(runtime.sessions, booking.tenant_id) as session:
                await handler(session, event)
    assert read_guard.seen >= set(HANDLERS)
