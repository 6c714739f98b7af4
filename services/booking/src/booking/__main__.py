"""`python -m booking migrate|serve`."""

from booking.app import MIGRATIONS, build_app
from booking.config import get_settings
from clinic_platform.cli import run_cli

if __name__ == "__main__":
    run_cli(get_settings, build_app, MIGRATIONS)
