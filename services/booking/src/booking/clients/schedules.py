"""Asking the schedules service whether an interval is within working hours, with a fallback."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
from pydantic import ValidationError
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
)

from booking.config import Settings
from booking.domain.hours import HoursVerdict, within_default_hours
from clinic_contracts import OutsideHoursDecision
from clinic_contracts.http.availability import CHECK_PATH, NOT_YET_KNOWN, CheckAnswer, CheckQuery
from clinic_platform.breaker import CircuitBreaker, CircuitOpen
from clinic_platform.errors import ServiceUnavailable
from clinic_platform.http_client import traced_transport

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
# Schedules' own 404 problems (codes in NOT_YET_KNOWN) are for a practitioner or placement its
# replica has not seen (yet): it is deployed and will know them once booking's catalog events
# arrive. Any other 404 (no such route, a proxy's page) means no schedules service answers there.


class SchedulesUnavailable(Exception):
    """Schedules is not deployed, cannot be reached, or failed: the default hours decide."""


class SchedulesBehind(Exception):
    """Schedules answers but has not yet seen the practitioner or their placement."""


class WorkingHoursUnknown(ServiceUnavailable):
    """Schedules is deployed but behind: guessing with default hours could book a closed time."""

    code, title = "working_hours_unknown", "Working hours not known yet"
    headers = {"Retry-After": "2"}


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
            # Each call carries the caller's trace (`traceparent`) and request id to schedules.
            transport=traced_transport(transport),
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
        """Schedules' answer when it gives one; the configured default hours when schedules is
        absent or failing; 503 when it answers but has not caught up with the catalog."""
        try:
            return await self._ask_until_known(
                practitioner_id, location_id, start, end, authorization
            )
        except SchedulesUnavailable as reason:
            log.info("working hours from fallback bounds: %s", reason)
        s = self._settings
        return within_default_hours(start, end, zone, s.fallback_opens_at, s.fallback_closes_at)

    async def _ask_until_known(
        self,
        practitioner_id: UUID,
        location_id: UUID,
        start: datetime,
        end: datetime,
        authorization: str | None,
    ) -> HoursVerdict:
        # Catalog events usually reach schedules within a second; wait that long, no longer.
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(SchedulesBehind),
            stop=stop_after_delay(self._settings.schedules_catchup_s),
            wait=wait_exponential(multiplier=0.05, max=0.5),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._ask(practitioner_id, location_id, start, end, authorization)
        except RetryError as gave_up:
            behind = gave_up.last_attempt.exception()
            raise WorkingHoursUnknown(
                f"the schedules service has not yet learnt of this practitioner at this location "
                f"({behind}); retry shortly",
                field="practitioner_ids",
                extra={"practitioner_id": str(practitioner_id)},
            ) from None
        raise AssertionError("unreachable")  # pragma: no cover

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
        query = CheckQuery(
            practitioner_id=practitioner_id, location_id=location_id, start=start, end=end
        )
        headers = {"Authorization": authorization} if authorization else {}
        try:
            response = await self._get_with_retries(query.params(), headers)
        except httpx.HTTPError as exc:
            self._breaker.failed()
            raise SchedulesUnavailable(f"schedules unreachable: {exc!r}") from None
        self._breaker.succeeded()
        if response.status_code == 404:
            code = _problem_code(response)
            if code in NOT_YET_KNOWN:
                raise SchedulesBehind(code)
            raise SchedulesUnavailable("no schedules check at that address (404)")
        if response.status_code != 200:
            raise SchedulesUnavailable(f"schedules answered {response.status_code}")
        try:
            answer = CheckAnswer.model_validate_json(response.content)
        except ValidationError as unreadable:
            # Out of contract: treated like a failing schedules, not as a verdict nor a 500.
            first = unreadable.errors()[0]
            detail = f"{'.'.join(map(str, first['loc']))}: {first['msg']}"
            raise SchedulesUnavailable(f"schedules answered out of contract ({detail})") from None
        return HoursVerdict(answer.bookable, OutsideHoursDecision.SCHEDULES, answer.rule)

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


def _problem_code(response: httpx.Response) -> str | None:
    if not response.headers.get("content-type", "").startswith(PROBLEM):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None
