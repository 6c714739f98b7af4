"""Wiring: the only place that builds settings, engine, broker and lifecycle hooks."""

from pathlib import Path

from fastapi import FastAPI

from clinic_platform.runtime import build_runtime, create_app
from clinic_platform.settings import ServiceSettings
from schedules.api import ROUTERS
from schedules.events import HANDLERS

MIGRATIONS = Path(__file__).parent / "store" / "migrations"
TITLE = "Schedules: working hours and availability"


def build_app(settings: ServiceSettings) -> FastAPI:
    """The schedules service's app; it connects to nothing until its lifespan starts."""
    return create_app(build_runtime(settings, HANDLERS), title=TITLE, routers=ROUTERS)
