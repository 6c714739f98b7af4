"""`python -m schedules migrate|serve|rebuild`."""

from clinic_platform.cli import run_cli
from clinic_platform.inbox.replay import Projection
from schedules.app import MIGRATIONS, build_app
from schedules.config import get_settings
from schedules.events import HANDLERS
from schedules.store.schema import REBUILT_TABLES

# Every consumed event only feeds replicas and projections, so all handlers replay.
REBUILD = Projection(HANDLERS, REBUILT_TABLES)

if __name__ == "__main__":
    run_cli(get_settings, build_app, MIGRATIONS, rebuild=REBUILD)
