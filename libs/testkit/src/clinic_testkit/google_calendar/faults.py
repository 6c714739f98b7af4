"""Errors on demand: the next N calls fail, or calls beyond a rate per second do."""

from __future__ import annotations

import enum
import time
from collections import deque
from dataclasses import dataclass

from clinic_testkit.google_calendar.errors import GoogleApiError


class Fault(enum.Enum):
    """The errors Google's Calendar API answers under load, as its documentation lists them."""

    RATE_LIMIT_429 = (429, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded")
    RATE_LIMIT_403 = (403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded")
    USER_RATE_LIMIT_403 = (
        403,
        "usageLimits",
        "userRateLimitExceeded",
        "User Rate Limit Exceeded",
    )
    QUOTA_EXCEEDED_403 = (
        403,
        "usageLimits",
        "quotaExceeded",
        "Calendar usage limits exceeded.",
    )
    BACKEND_500 = (500, "global", "backendError", "Backend Error")
    BACKEND_503 = (503, "global", "backendError", "Backend Error")

    def error(self) -> GoogleApiError:
        code, domain, reason, message = self.value
        return GoogleApiError(code, reason, message, domain=domain)


@dataclass
class _Scheduled:
    fault: Fault
    remaining: int
    method: str | None
    path_contains: str


@dataclass(frozen=True)
class InjectedFault:
    method: str
    path: str
    fault: Fault


class Faults:
    """Faults for Calendar API calls (not the OAuth endpoints); guarded by the double's lock."""

    def __init__(self) -> None:
        self._scheduled: list[_Scheduled] = []
        self._rate: tuple[float, Fault] | None = None
        self._window: deque[float] = deque()
        self.injected: list[InjectedFault] = []

    def fail_next(
        self, count: int, fault: Fault, *, method: str | None = None, path_contains: str = ""
    ) -> None:
        self._scheduled.append(_Scheduled(fault, count, method, path_contains))

    def rate_limit(self, per_second: float | None, fault: Fault) -> None:
        self._rate = None if per_second is None else (per_second, fault)
        self._window.clear()

    def clear(self) -> None:
        self._scheduled.clear()
        self._rate = None
        self._window.clear()

    def check(self, method: str, path: str) -> GoogleApiError | None:
        for item in self._scheduled:
            if item.remaining <= 0:
                continue
            if item.method is not None and item.method.upper() != method:
                continue
            if item.path_contains not in path:
                continue
            item.remaining -= 1
            self.injected.append(InjectedFault(method, path, item.fault))
            return item.fault.error()
        if self._rate is not None:
            per_second, fault = self._rate
            now = time.monotonic()
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= per_second:
                self.injected.append(InjectedFault(method, path, fault))
                return fault.error()
            self._window.append(now)
        return None
