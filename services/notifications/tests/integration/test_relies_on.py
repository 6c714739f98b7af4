"""Each handler of notifications runs on the declared fields of each contract example alone."""

from typing import Any

import pytest

from clinic_platform.store.sessions import tenant_transaction
from clinic_testkit.consumer_contracts import ReadGuard, example_events
from notifications.events import HANDLERS

pytestmark = pytest.mark.integration


async def test_every_handler_runs_on_its_examples_stripped_to_the_declared_fields(
    service: Any, read_guard: ReadGuard
) -> None:
    tenant_id = service.feed.tenant_id
    for event_type, handler in HANDLERS.items():  # guarded by `read_guard`
        for event in example_events(event_type, tenant_id):
            async with tenant_transaction(service.runtime.sessions, tenant_id) as session:
                await handler(session, event)
    assert read_guard.seen >= set(HANDLERS)
