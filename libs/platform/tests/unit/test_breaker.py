"""The circuit breaker opens after repeated failures and lets one trial through later."""

import pytest

from clinic_platform.breaker import BreakerState, CircuitBreaker, CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_it_opens_after_the_threshold_and_refuses_calls() -> None:
    breaker = CircuitBreaker(failure_threshold=3, reset_after_s=10, clock=Clock())
    for _ in range(3):
        breaker.before_call()
        breaker.failed()
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(CircuitOpen):
        breaker.before_call()


def test_after_the_reset_time_one_trial_closes_it_again_on_success() -> None:
    clock = Clock()
    breaker = CircuitBreaker(failure_threshold=1, reset_after_s=10, clock=clock)
    breaker.failed()
    clock.now = 10.5
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.before_call()
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # a second caller does not pile on during the trial
    breaker.succeeded()
    assert breaker.state is BreakerState.CLOSED


def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(failure_threshold=2, reset_after_s=10, clock=Clock())
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    assert breaker.state is BreakerState.CLOSED
