"""Settings of the schedules service: environment variables prefixed `SCHEDULES_`."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from clinic_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """The schedules service's settings."""

    model_config = SettingsConfigDict(env_prefix="SCHEDULES_", extra="ignore", frozen=True)

    service_name: str = "schedules"
    database_url: str = "postgresql+psycopg://clinic_schedules@127.0.0.1:5433/clinic_schedules"
    http_port: int = 8002


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
