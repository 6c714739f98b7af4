"""The consumer contract of booking: equal to its handlers, and held by the producers."""

from booking.events import HANDLERS
from booking.events.relies_on import RELIES_ON
from clinic_contracts.consumers import COMMITTED, CURRENT, check_contract, check_subscriptions
from clinic_contracts.export import DEFAULT_SCHEMAS_DIR, load_committed
from clinic_contracts.schema import current_schemas
from clinic_testkit.consumer_contracts import published_contract


def test_every_handled_event_type_is_declared_and_nothing_else() -> None:
    assert set(HANDLERS) == RELIES_ON.event_types


def test_the_contract_holds_against_the_current_models_and_the_committed_schemas() -> None:
    current = current_schemas()
    assert check_subscriptions(RELIES_ON, current) == []
    assert check_contract(RELIES_ON, current, CURRENT) == []
    assert check_contract(RELIES_ON, load_committed(DEFAULT_SCHEMAS_DIR), COMMITTED) == []


def test_the_service_publishes_its_contract_for_the_ci_check() -> None:
    assert published_contract("booking") is RELIES_ON
