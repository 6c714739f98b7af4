"""Wiring: the only place that builds settings, engine, broker and lifecycle hooks."""

from pathlib import Path

from fastapi import FastAPI

from calendar_sync.api import ROUTERS
from calendar_sync.events import HANDLERS
from clinic_platform.runtime import build_runtime, create_app
from clinic_platform.settings import ServiceSettings

MIGRATIONS = Path(__file__).parent / "store" / "migrations"
TITLE = "Calendar sync: Google and CalDAV"


def build_app(settings: ServiceSettings) -> FastAPI:
    """The calendar-sync service's app; it connects to nothing until its lifespan starts."""
    return create_app(build_runtime(settings, HANDLERS), title=TITLE, routers=ROUTERS)
