"""The command line every service exposes: `python -m <service> migrate|serve[|rebuild]`.

`serve --migrate` applies the migrations first in the same process: one interpreter start
instead of two where nothing else migrates (`make up`); deployments keep a separate step.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from uuid import UUID

import uvicorn
from fastapi import FastAPI

from clinic_platform.inbox.delivery import INFRASTRUCTURE_ERRORS
from clinic_platform.inbox.replay import Projection, ReplayError, rebuild_service
from clinic_platform.kafka import RETRYABLE_KAFKA_ERRORS
from clinic_platform.logs import setup_logging
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.migrations import upgrade

log = logging.getLogger(__name__)
# Failures a rebuild expects (a refused projection, an outage): it rolls back and says why.
EXPECTED_FAILURES: tuple[type[BaseException], ...] = (
    ReplayError,
    *INFRASTRUCTURE_ERRORS,
    *RETRYABLE_KAFKA_ERRORS,
)


def run_cli(
    settings_factory: Callable[[], ServiceSettings],
    app_factory: Callable[[ServiceSettings], FastAPI],
    migrations: Path,
    argv: Sequence[str] | None = None,
    *,
    rebuild: Projection | None = None,
) -> None:
    """Parse `migrate`, `serve` or (given a projection) `rebuild [--tenant ID]` and run it."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply this service's migrations up to head")
    serve = sub.add_parser("serve", help="serve the HTTP API, outbox relay and consumers")
    serve.add_argument("--migrate", action="store_true", help="apply the migrations first")
    if rebuild is not None:
        command = sub.add_parser("rebuild", help="rebuild event-fed tables by replaying topics")
        command.add_argument("--tenant", type=UUID, help="rebuild only this tenant's rows")
    args = parser.parse_args(argv)
    settings = settings_factory()
    setup_logging(settings)  # JSON lines outside development (see clinic_platform.logs)
    if args.command == "migrate" or getattr(args, "migrate", False):
        upgrade(migrations, settings.database_url)
    if args.command == "migrate":
        return
    if args.command == "rebuild" and rebuild is not None:
        _rebuild(settings, rebuild, args.tenant)
        return
    uvicorn.run(
        app_factory(settings),
        host=settings.http_host,
        port=settings.http_port,
        timeout_graceful_shutdown=8,
        log_config=None,
    )


def _rebuild(settings: ServiceSettings, projection: Projection, tenant_id: UUID | None) -> None:
    try:
        summary = asyncio.run(rebuild_service(settings, projection, tenant_id))
    except EXPECTED_FAILURES as exc:  # they need their message, not a traceback
        raise SystemExit(f"rebuild failed, nothing changed: {exc}") from exc
    except Exception as exc:
        log.exception("rebuild failed")
        raise SystemExit(f"rebuild failed, nothing changed: {exc!r}") from exc
    log.info("rebuild of %s done\n%s", settings.service_name, summary.render())
    print(summary.render())
