"""Settings of the notifications service: environment variables prefixed `NOTIFICATIONS_`."""

from functools import lru_cache

from pydantic import Field, SecretStr, field_validator, model_validator
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

    # Email over SMTP; the default is a local catcher (e.g. `python -m aiosmtpd -n`).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: bool = False  # implicit TLS (port 465)
    smtp_starttls: bool = False
    smtp_from: str = "Clinic <no-reply@clinic.invalid>"
    # SMS and LINE providers over HTTP; a channel without its credentials is not offered.
    sms_base_url: str | None = None
    sms_api_key: SecretStr | None = None
    line_base_url: str | None = "https://api.line.me"
    line_channel_token: SecretStr | None = None
    provider_timeout_s: float = Field(default=10.0, gt=0)

    # Delivery: waits between attempts (tenacity), then the delivery is failed.
    delivery_retry_waits_s: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0)
    # A claimed delivery is retaken by any replica after this long (a crashed sender's lease).
    delivery_lease_s: float | None = Field(default=None, gt=0)
    dispatch_poll_interval_s: float = Field(default=0.2, gt=0)
    # Deliveries in flight per replica; a replica claims no more than it can send at once.
    dispatch_concurrency: int = Field(default=8, ge=1, le=100)
    reminder_poll_interval_s: float = Field(default=5.0, gt=0)
    reminder_batch_size: int = Field(default=200, ge=1, le=5000)

    @field_validator("sms_base_url", "line_base_url", mode="before")
    @classmethod
    def _empty_means_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _lease_outlasts_retries(self) -> "Settings":
        if any(w < 0 for w in self.delivery_retry_waits_s):
            raise ValueError("delivery_retry_waits_s: waits must not be negative")
        if self.delivery_lease_s is not None and self.delivery_lease_s <= self.sending_time_s:
            raise ValueError(
                "delivery_lease_s: must exceed every attempt's timeout plus the retry waits "
                f"({self.sending_time_s:g} s), or a live sender's delivery would be retaken"
            )
        return self

    @property
    def max_attempts(self) -> int:
        """Attempts per delivery: the first one and one after each wait."""
        return len(self.delivery_retry_waits_s) + 1

    @property
    def sending_time_s(self) -> float:
        """The longest a sender can hold a delivery: every attempt timing out, every wait."""
        return self.max_attempts * self.provider_timeout_s + sum(self.delivery_retry_waits_s)

    @property
    def lease_s(self) -> float:
        """The delivery lease: as set, or the longest sending time with a margin."""
        return self.delivery_lease_s or self.sending_time_s * 1.5 + 5


@lru_cache
def get_settings() -> Settings:
    """Settings read once from the environment."""
    return Settings()
