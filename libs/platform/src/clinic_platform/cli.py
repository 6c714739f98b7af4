"""The command line every service exposes: `python -m <service> migrate|serve`."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import uvicorn
from fastapi import FastAPI

from clinic_platform.settings import ServiceSettings
from clinic_platform.store.migrations import upgrade


def run_cli(
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations: Path,
    argv: Sequence[str] | None = None,
) -> None:
    """Parse `migrate` or `serve` and run it with settings from the environment."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply this service's migrations up to head")
    sub.add_parser("serve", help="serve the HTTP API, outbox relay and consumers")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = settings_factory()
    if args.command == "migrate":
        upgrade(migrations, settings.database_url)
        return
    uvicorn.run(
        app_factory(settings),
        host=settings.http_host,
        port=settings.http_port,
        timeout_graceful_shutdown=8,
        log_config=None,
    )
