"""`python -m schedules migrate|serve`."""

from clinic_platform.cli import run_cli
from schedules.app import MIGRATIONS, build_app
from schedules.config import get_settings

if __name__ == "__main__":
    run_cli(get_settings, build_app, MIGRATIONS)
