"""Wiring: the only place that builds settings, engine, broker and lifecycle hooks."""

from pathlib import Path

from fastapi import FastAPI

from clinic_platform.runtime import build_runtime, create_app
from clinic_platform.secrets import SecretBox
from clinic_platform.settings import ServiceSettings
from notifications.api import ROUTERS
from notifications.channels.registry import build_senders
from notifications.config import Settings
from notifications.events import HANDLERS
from notifications.service.dispatch import Dispatcher
from notifications.service.reminders import reminder_scheduler

MIGRATIONS = Path(__file__).parent / "store" / "migrations"
TITLE = "Notifications: confirmations and reminders"


def build_app(settings: ServiceSettings) -> FastAPI:
    """The notifications service's app; it connects to nothing until its lifespan starts."""
    if not isinstance(settings, Settings):
        settings = Settings.model_validate(settings.model_dump())
    runtime = build_runtime(settings, HANDLERS)
    senders = build_senders(settings)
    secrets = SecretBox.from_settings(settings)  # refuses the development key in production
    dispatcher = Dispatcher(runtime, settings, senders, secrets)
    runtime.workers += [dispatcher.worker(), reminder_scheduler(runtime, settings)]
    runtime.closers.append(senders.aclose)
    app = create_app(runtime, title=TITLE, routers=ROUTERS)
    app.state.senders = senders
    app.state.dispatcher = dispatcher
    app.state.secrets = secrets
    return app
