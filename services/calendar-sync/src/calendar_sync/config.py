"""Settings of the calendar-sync service: environment variables prefixed `CALENDAR_SYNC_`."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from clinic_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """The calendar-sync service's settings."""

    model_config = SettingsConfigDict(env_prefix="CALENDAR_SYNC_", extra="ignore", frozen=True)

    service_name: str = "calendar-sync"
    database_url: str = (
        "postgresql+psycopg://clinic_calendar_sync@127.0.0.1:5433/clinic_calendar_sync"
    )
    http_port: int = 8004


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
