"""Asking the schedules service whether an interval is within working hours, with a fallback."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from booking.config import Settings
from booking.domain.hours import HoursVerdict, within_default_hours
from clinic_contracts import OutsideHoursDecision
from clinic_platform.breaker import CircuitBreaker, CircuitOpen

log = logging.getLogger(__name__)
CHECK_PATH = "/api/v1/schedules/availability/check"


class SchedulesUnavailable(Exception):
    """Schedules answered 404 for this practitioner, failed, or is not deployed."""


class WorkingHours:
    """Asks schedules (short timeout, retries, circuit breaker); falls back to default hours."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        self._settings = settings
        self._breaker = CircuitBreaker(
            settings.schedules_breaker_failures, settings.schedules_breaker_reset_s
        )
        self._client = httpx.AsyncClient(
            base_url=settings.schedules_url or "http://schedules.invalid",
            timeout=settings.schedules_timeout_s,
            transport=transport,
        )

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def verdict(
        self,
        practitioner_id: UUID,
        location_id: UUID,
        start: datetime,
        end: datetime,
        zone: ZoneInfo,
        authorization: str | None,
    ) -> HoursVerdict:
        """Schedules' answer when it gives one; otherwise the configured default hours."""
        try:
            return await self._ask(practitioner_id, location_id, start, end, authorization)
        except SchedulesUnavailable as reason:
            log.info("working hours from fallback bounds: %s", reason)
        s = self._settings
        return within_default_hours(start, end, zone, s.fallback_opens_at, s.fallback_closes_at)

    async def _ask(
        self,
        practitioner_id: UUID,
        location_id: UUID,
        start: datetime,
        end: datetime,
        authorization: str | None,
    ) -> HoursVerdict:
        if self._settings.schedules_url is None:
            raise SchedulesUnavailable("schedules is not deployed")
        try:
            self._breaker.before_call()
        except CircuitOpen:
            raise SchedulesUnavailable("circuit open after repeated failures") from None
        params = {
            "practitioner_id": str(practitioner_id),
            "location_id": str(location_id),
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        headers = {"Authorization": authorization} if authorization else {}
        try:
            response = await self._get_with_retries(params, headers)
        except httpx.HTTPError as exc:
            self._breaker.failed()
            raise SchedulesUnavailable(f"schedules unreachable: {exc!r}") from None
        self._breaker.succeeded()
        if response.status_code == 404:
            raise SchedulesUnavailable("schedules does not know this practitioner")
        if response.status_code != 200:
            raise SchedulesUnavailable(f"schedules answered {response.status_code}")
        body = response.json()
        return HoursVerdict(
            bool(body["bookable"]),
            OutsideHoursDecision.SCHEDULES,
            str(body.get("rule", "schedules")),
        )

    async def _get_with_retries(
        self, params: dict[str, str], headers: dict[str, str]
    ) -> httpx.Response:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(httpx.TransportError),
            stop=stop_after_attempt(self._settings.schedules_attempts),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                response = await self._client.get(CHECK_PATH, params=params, headers=headers)
                if response.status_code >= 500:
                    raise httpx.TransportError(f"schedules answered {response.status_code}")
                return response
        raise AssertionError("unreachable")  # pragma: no cover
