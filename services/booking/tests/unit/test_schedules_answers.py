"""How booking reads schedules' answers: a verdict, "not deployed here", or "not caught up yet"."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest

from booking.clients.schedules import WorkingHours, WorkingHoursUnknown
from booking.config import Settings
from booking.domain.hours import HoursVerdict
from clinic_contracts import OutsideHoursDecision
from clinic_contracts.http.availability import CHECK_PATH, NOT_YET_KNOWN, CheckQuery

PROBLEM = {"content-type": "application/problem+json"}
ZONE = ZoneInfo("Europe/London")
# 20:00 local: inside the default hours (08:00-21:00), so a fallback would say "inside".
START = datetime(2026, 12, 7, 20, 0, tzinfo=ZONE).astimezone(UTC)


def hours_answering(
    answer: Callable[[int], httpx.Response], calls: list[int], catchup_s: float = 0.3
) -> WorkingHours:
    def handle(request: httpx.Request) -> httpx.Response:
        calls.append(len(calls))
        return answer(len(calls))

    settings = Settings(
        schedules_url="http://schedules.test",
        schedules_catchup_s=catchup_s,
        fallback_opens_at=time(8),
        fallback_closes_at=time(21),
    )
    return WorkingHours(settings, transport=httpx.MockTransport(handle))


async def ask(hours: WorkingHours) -> HoursVerdict:
    return await hours.verdict(uuid4(), uuid4(), START, START + timedelta(minutes=30), ZONE, None)


def not_known(_: int) -> httpx.Response:
    body = {"status": 404, "code": "practitioner_not_found", "title": "Not found"}
    return httpx.Response(404, json=body, headers=PROBLEM)


async def test_a_practitioner_schedules_has_not_seen_yet_is_503_not_the_default_hours() -> None:
    calls: list[int] = []
    with pytest.raises(WorkingHoursUnknown) as refused:
        await ask(hours_answering(not_known, calls))
    assert refused.value.status == 503
    assert refused.value.code == "working_hours_unknown"
    assert refused.value.headers["Retry-After"] == "2"
    assert len(calls) > 1  # it waited for schedules to catch up before refusing


async def test_a_practitioner_schedules_learns_of_while_booking_waits_gets_its_verdict() -> None:
    def learns(call: int) -> httpx.Response:
        if call < 3:
            return not_known(call)
        return httpx.Response(200, json={"bookable": False, "rule": "outside_weekly_schedule"})

    verdict = await ask(hours_answering(learns, [], catchup_s=5))
    assert verdict.inside is False
    assert verdict.decided_by is OutsideHoursDecision.SCHEDULES


@pytest.mark.parametrize(
    "absent",
    [
        httpx.Response(
            404, text="<html>404 Not Found</html>", headers={"content-type": "text/html"}
        ),
        httpx.Response(404, json={"code": "not_found", "status": 404}, headers=PROBLEM),
        httpx.Response(404, json={"detail": "Not Found"}),
    ],
)
async def test_a_404_that_is_not_schedules_speaking_means_no_schedules_here(
    absent: httpx.Response,
) -> None:
    calls: list[int] = []
    verdict = await ask(hours_answering(lambda _: absent, calls))
    assert verdict.decided_by is OutsideHoursDecision.FALLBACK_DEFAULT_HOURS
    assert verdict.inside is True
    assert len(calls) == 1


@pytest.mark.parametrize("code", sorted(NOT_YET_KNOWN))
async def test_each_not_yet_known_code_of_the_contract_makes_booking_wait(code: str) -> None:
    def behind(_: int) -> httpx.Response:
        return httpx.Response(404, json={"status": 404, "code": code}, headers=PROBLEM)

    calls: list[int] = []
    with pytest.raises(WorkingHoursUnknown):
        await ask(hours_answering(behind, calls))
    assert len(calls) > 1


async def test_booking_asks_with_the_query_of_the_contract() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"bookable": True, "rule": "weekly_schedule"})

    settings = Settings(schedules_url="http://schedules.test")
    hours = WorkingHours(settings, transport=httpx.MockTransport(answer))
    practitioner, location = uuid4(), uuid4()
    await hours.verdict(practitioner, location, START, START + timedelta(minutes=30), ZONE, None)
    [request] = sent
    assert request.url.path == CHECK_PATH
    query = CheckQuery.model_validate(dict(request.url.params))
    assert query == CheckQuery(
        practitioner_id=practitioner,
        location_id=location,
        start=START,
        end=START + timedelta(minutes=30),
    )


@pytest.mark.parametrize(
    "body", [{"rule": "weekly_schedule"}, {"bookable": "perhaps", "rule": "x"}, ["not", "it"]]
)
async def test_an_answer_out_of_contract_leaves_it_to_the_default_hours(body: object) -> None:
    verdict = await ask(hours_answering(lambda _: httpx.Response(200, json=body), []))
    assert verdict.decided_by is OutsideHoursDecision.FALLBACK_DEFAULT_HOURS
