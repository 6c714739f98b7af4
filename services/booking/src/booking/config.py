"""Settings of the booking service: environment variables prefixed `BOOKING_`."""

from datetime import time
from functools import lru_cache

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from clinic_platform.settings import ServiceSettings


class Settings(ServiceSettings):
    """The booking service's settings."""

    model_config = SettingsConfigDict(env_prefix="BOOKING_", extra="ignore", frozen=True)

    service_name: str = "booking"
    database_url: str = "postgresql+psycopg://clinic_booking@127.0.0.1:5433/clinic_booking"
    http_port: int = 8001

    # Holds block a slot while someone decides; staff get longer (they are on the phone).
    hold_minutes_patient: int = Field(default=10, ge=1, le=24 * 60)
    hold_minutes_staff: int = Field(default=30, ge=1, le=24 * 60)

    # Working hours come from schedules when it is deployed; None means it is not.
    schedules_url: str | None = "http://127.0.0.1:8002"
    schedules_timeout_s: float = Field(default=0.5, gt=0)
    schedules_attempts: int = Field(default=2, ge=1, le=5)
    schedules_breaker_failures: int = Field(default=5, ge=1)
    schedules_breaker_reset_s: float = Field(default=30.0, gt=0)
    # How long to wait for schedules to learn of a new practitioner before answering 503.
    schedules_catchup_s: float = Field(default=2.0, ge=0, le=30)
    # Bounds used when schedules is not deployed or cannot be reached (location's local time).
    fallback_opens_at: time = time(8, 0)
    fallback_closes_at: time = time(21, 0)

    @field_validator("schedules_url", mode="before")
    @classmethod
    def _empty_means_not_deployed(cls, value: object) -> object:
        return None if value == "" else value


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
