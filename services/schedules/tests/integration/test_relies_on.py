"""Each handler of schedules runs on the declared fields of each contract example alone."""

from typing import Any

import pytest

from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.consumer_contracts import ReadGuard, example_events
from schedules.events import HANDLERS

pytestmark = pytest.mark.integration


async def test_every_handler_runs_on_its_examples_stripped_to_the_declared_fields(
    schedules: Any, read_guard: ReadGuard
) -> None:
    runtime, feed = schedules
    for event_type, handler in HANDLERS.items():  # guarded by `read_guard`
        for event in example_events(event_type, feed.tenant_id):
            async with tenant_transaction(runtime.sessions, feed.tenant_id) as session:
                await handler(session, event)
    assert read_guard.seen >= set(HANDLERS)
