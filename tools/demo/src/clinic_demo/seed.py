"""Seeding the demo clinic through the public HTTP API, idempotently: what is there is kept."""

from __future__ import annotations

from collections.abc import Callable

from clinic_demo.api import Api, Endpoints
from clinic_demo.bookings import ensure_bookings
from clinic_demo.catalog import ensure_catalog
from clinic_demo.clinic import DEMO, DemoClinic
from clinic_demo.hours import wait_and_write_rules
from clinic_demo.report import DemoIds, Report
from clinic_demo.tokens import demo_token, development_settings

DEFAULT_WAIT_S = 60.0


def seed(
    endpoints: Endpoints,
    clinic: DemoClinic = DEMO,
    *,
    echo: Callable[[str], None] = print,
    wait_s: float = DEFAULT_WAIT_S,
) -> tuple[DemoIds, Report]:
    """The admin sets up the catalog and the rules; the front desk makes the bookings."""
    settings = development_settings()
    report = Report(echo)
    admin_token = demo_token(clinic, "admin", settings)
    desk_token = demo_token(clinic, "receptionist", settings)
    echo(f"demo clinic: tenant {clinic.tenant_id}, through {endpoints.booking.rsplit('/', 1)[0]}")
    with Api(endpoints, admin_token) as admin, Api(endpoints, desk_token) as desk:
        ids = ensure_catalog(admin, clinic, report)
        wait_and_write_rules(admin, clinic, ids, report, wait_s)
        ensure_bookings(desk, clinic, ids, report)
    echo(report.summary())
    return ids, report
