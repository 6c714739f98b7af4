"""The demo's rules in schedules: clinic hours, weekly hours and the recurring blocked evening.

Schedules learns the catalog from booking's events on Kafka, so it is asked (and asked again)
until it knows the location, practitioners and types before any rule is written for them.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_demo.api import Api, Json
from clinic_demo.clinic import WEEKDAYS, BlockedSeed, DemoClinic, PractitionerSeed, Week, Weekday
from clinic_demo.report import DemoIds, Report

Normalised = dict[str, list[tuple[str, str]]]


def local_today(clinic: DemoClinic) -> date:
    return datetime.now(ZoneInfo(clinic.location.timezone)).date()


def wait_until_known(api: Api, clinic: DemoClinic, ids: DemoIds, timeout_s: float) -> float:
    """Seconds it took schedules to know every demo location, practitioner and type."""
    started = time.monotonic()
    today = local_today(clinic).isoformat()
    probes = [api.schedules(f"/locations/{ids.location_id}/clinic-hours")] + [
        api.schedules(
            f"/practitioners/{practitioner}/availability/slots?date={today}"
            f"&appointment_type_id={kind}&location_id={ids.location_id}"
        )
        for practitioner in ids.practitioners.values()
        for kind in ids.types.values()
    ]
    for probe in probes:
        while api.call("GET", probe, expect=(200, 404)).status_code == 404:
            if time.monotonic() - started > timeout_s:
                raise TimeoutError(
                    f"schedules did not learn the demo catalog from Kafka within {timeout_s:.0f}s "
                    f"(still 404: GET {probe}); see schedules' and booking's logs"
                )
            time.sleep(0.2)
    return time.monotonic() - started


def normalised(schedule: Json | Week) -> Normalised:
    """Non-empty days and their (start, end) pairs, as comparable plain data."""
    result: Normalised = {}
    for day, intervals in schedule.items():
        pairs = [
            (i["start_time"], i["end_time"]) if isinstance(i, dict) else (i[0], i[1])
            for i in intervals
        ]
        if pairs:
            result[str(day)] = sorted(pairs)
    return result


def as_body(hours: Week) -> Json:
    return {
        day: [{"start_time": start, "end_time": end} for start, end in intervals]
        for day, intervals in hours.items()
    }


def ensure_clinic_hours(api: Api, clinic: DemoClinic, ids: DemoIds, report: Report) -> None:
    url = api.schedules(f"/locations/{ids.location_id}/clinic-hours")
    current = api.get(url)
    what = f"clinic hours of {clinic.location.name!r}"
    if current["configured"] and normalised(current["hours"]) == normalised(
        clinic.location.clinic_hours
    ):
        report.keep(what)
        return
    body = {
        "hours": as_body(clinic.location.clinic_hours),
        "date_overrides": current["date_overrides"],
        "closed_dates": current["closed_dates"],
    }
    api.put(url, body)
    (report.change if current["configured"] else report.create)(what)


def ensure_weekly_hours(
    api: Api, clinic: DemoClinic, seed: PractitionerSeed, ids: DemoIds, report: Report
) -> None:
    """The template in force from today on, unless the one in force today is already it."""
    practitioner_id = ids.practitioners[seed.key]
    url = api.schedules(f"/practitioners/{practitioner_id}/availability/default")
    today = local_today(clinic).isoformat()
    found = api.get(url, location_id=str(ids.location_id), on=today)["templates"]
    what = f"weekly hours of {seed.display_name}"
    wanted = normalised(seed.hours)
    if any(t["effective_to"] is None and normalised(t["schedule"]) == wanted for t in found):
        report.keep(what)
        return
    api.put(url, {"location_id": str(ids.location_id), "schedule": as_body(seed.hours)})
    (report.change if found else report.create)(f"{what}: {_describe(wanted)}")


def ensure_blocked(
    api: Api, clinic: DemoClinic, seed: BlockedSeed, ids: DemoIds, report: Report
) -> None:
    practitioner_id = ids.practitioners[seed.practitioner]
    url = api.schedules(f"/practitioners/{practitioner_id}/availability/exceptions")
    today = local_today(clinic)
    listed = api.get(url, **{"from": today.isoformat(), "to": (today + timedelta(13)).isoformat()})
    what = f"blocked {seed.start}-{seed.end} every {seed.weekday} ({seed.reason})"
    if any(_same(item, seed) for item in listed["items"]):
        report.keep(what)
        return
    body = {
        "kind": "blocked",
        "rrule": seed.rrule,
        "dtstart": _next(today, seed.weekday).isoformat(),
        "start_time": seed.start,
        "end_time": seed.end,
        "reason": seed.reason,
    }
    api.post(url, body)  # 409 appointment_conflicts if bookings are in the way: shown as is
    report.create(what)


def _same(item: Json, seed: BlockedSeed) -> bool:
    return (item["kind"], item["rrule"], item["start_time"], item["end_time"]) == (
        "blocked",
        seed.rrule,
        seed.start,
        seed.end,
    )


def _next(day: date, weekday: Weekday) -> date:
    """`day` itself or the first date after it that falls on `weekday`."""
    return day + timedelta((WEEKDAYS.index(weekday) - day.weekday()) % 7)


def _describe(week: Normalised) -> str:
    days = ", ".join(day[:3] for day in week)
    spans = {" ".join(f"{s}-{e}" for s, e in pairs) for pairs in week.values()}
    return f"{days} {' / '.join(sorted(spans))}"


def wait_and_write_rules(
    api: Api, clinic: DemoClinic, ids: DemoIds, report: Report, timeout_s: float
) -> None:
    """Everything schedules holds for the demo, once it knows the catalog."""
    waited = wait_until_known(api, clinic, ids, timeout_s)
    report.echo(f"  schedules knows the demo catalog (waited {waited:.1f}s for Kafka)")
    ensure_clinic_hours(api, clinic, ids, report)
    for practitioner in clinic.practitioners:
        ensure_weekly_hours(api, clinic, practitioner, ids, report)
    for blocked in clinic.blocked:
        ensure_blocked(api, clinic, blocked, ids, report)
