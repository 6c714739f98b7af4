"""HTTP routes of the booking service, assembled in one list."""

from fastapi import APIRouter

from booking.api import appointments, audit, holds, series
from booking.api.catalog import CATALOG_ROUTERS

ROUTERS: list[APIRouter] = [
    *CATALOG_ROUTERS,
    holds.router,
    appointments.router,
    series.router,
    audit.router,
]
