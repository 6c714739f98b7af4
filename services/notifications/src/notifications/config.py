"""Settings of the notifications service: environment variables prefixed `NOTIFICATIONS_`."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from clinic_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """The notifications service's settings."""

    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore", frozen=True)

    service_name: str = "notifications"
    database_url: str = (
        "postgresql+psycopg://clinic_notifications@127.0.0.1:5433/clinic_notifications"
    )
    http_port: int = 8003


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
