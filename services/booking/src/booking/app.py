"""Wiring: the only place that builds settings, engine, broker and lifecycle hooks."""

from pathlib import Path

from fastapi import FastAPI

from booking.api import ROUTERS
from booking.api.errors import install_integrity_problems
from booking.clients.schedules import WorkingHours
from booking.config import Settings
from booking.events import HANDLERS
from booking.service.sweeper import hold_sweeper
from clinic_platform.runtime import build_runtime, create_app
from clinic_platform.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "store" / "migrations"
TITLE = "Booking: catalog, patients, holds, appointments, series"


def build_app(settings: ServiceSettings) -> FastAPI:
    """The booking service's app; it connects to nothing until its lifespan starts."""
    if not isinstance(settings, Settings):
        settings = Settings.model_validate(settings.model_dump())
    runtime = build_runtime(settings, HANDLERS)
    hours = WorkingHours(settings)
    runtime.workers.append(hold_sweeper(runtime))
    runtime.closers.append(hours.aclose)
    app = create_app(runtime, title=TITLE, routers=ROUTERS)
    app.state.working_hours = hours
    install_integrity_problems(app)
    return app
