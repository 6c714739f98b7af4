"""A circuit breaker for calls to other services: after repeated failures, stop asking a while."""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    """Closed: calls flow. Open: calls are refused. Half-open: one trial call is let through."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitOpen(Exception):
    """The breaker is open: the caller should use its fallback without calling."""


class CircuitBreaker:
    """Counts consecutive failures; opens at `failure_threshold`, retries after `reset_after_s`."""

    def __init__(
        self,
        failure_threshold: int = 5,
        reset_after_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._threshold = failure_threshold
        self._reset_after_s = reset_after_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None

    @property
    def state(self) -> BreakerState:
        """The state now, given the clock."""
        if self._opened_at is None:
            return BreakerState.CLOSED
        if self._clock() - self._opened_at >= self._reset_after_s:
            return BreakerState.HALF_OPEN
        return BreakerState.OPEN

    def before_call(self) -> None:
        """Raise CircuitOpen while open; in half-open, let one trial through."""
        state = self.state
        if state is BreakerState.OPEN:
            raise CircuitOpen
        if state is BreakerState.HALF_OPEN:
            self._opened_at = self._clock()  # further callers wait for the trial's verdict

    def succeeded(self) -> None:
        """A call worked: close the breaker."""
        self._failures, self._opened_at = 0, None

    def failed(self) -> None:
        """A call failed: count it, and open once the threshold is reached."""
        self._failures += 1
        if self._failures >= self._threshold:
            self._opened_at = self._clock()
