"""`python -m notifications migrate|serve`."""

from clinic_platform.cli import run_cli
from notifications.app import MIGRATIONS, build_app
from notifications.config import get_settings

if __name__ == "__main__":
    run_cli(get_settings, build_app, MIGRATIONS)
