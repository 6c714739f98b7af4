"""Settings of the booking service: environment variables prefixed `BOOKING_`."""

from functools import lru_cache

from pydantic_settings import SettingsConfigDict

from clinic_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """The booking service's settings."""

    model_config = SettingsConfigDict(env_prefix="BOOKING_", extra="ignore", frozen=True)

    service_name: str = "booking"
    database_url: str = "postgresql+psycopg://clinic_booking@127.0.0.1:5433/clinic_booking"
    http_port: int = 8001


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
