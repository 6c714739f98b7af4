"""`python -m calendar_sync migrate|serve`."""

from calendar_sync.app import MIGRATIONS, build_app
from calendar_sync.config import get_settings
from clinic_platform.cli import run_cli

if __name__ == "__main__":
    run_cli(get_settings, build_app, MIGRATIONS)
