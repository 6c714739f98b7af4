"""One settings pattern for every service: a pydantic-settings class with its own env prefix."""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-0123456789abcdef"  # noqa: S105 - refused outside dev
# A valid Fernet key that everyone knows: sealing with it protects nothing, so services that
# keep secrets refuse it in production (see clinic_platform.secrets).
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMDEyMzQ1Njc="

Environment = Literal["development", "test", "production"]
LogFormat = Literal["json", "text"]


class ServiceSettings(BaseSettings):
    """Settings every service shares; a service subclasses it and sets its own `env_prefix`."""

    model_config = SettingsConfigDict(env_prefix="CLINIC_", extra="ignore", frozen=True)

    service_name: str = "clinic"
    environment: Environment = "development"
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5433/clinic"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    jwt_algorithm: Literal["HS256", "RS256"] = "HS256"
    jwt_secret: SecretStr = SecretStr(DEV_JWT_SECRET)
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    # Fernet keys for secrets at rest, comma-separated, newest first (the first seals).
    encryption_keys: SecretStr = SecretStr(DEV_ENCRYPTION_KEY)
    otlp_endpoint: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Commits in this process wake the relay at once; polling only catches other writers.
    outbox_poll_interval_s: float = 0.5
    consumer_max_attempts: int = 3
    # Bodies over this are refused with 413 before they are read in full (the gateway caps too).
    max_request_bytes: int = 1_048_576
    # JSON lines by default; human-readable text by default in development only.
    log_format: LogFormat | None = None
    log_level: str = "INFO"
    # How often the outbox backlog and consumer lag gauges are refreshed.
    metrics_interval_s: float = 10.0

    @model_validator(mode="after")
    def _refuse_dev_secret_outside_development(self) -> ServiceSettings:
        if (
            self.environment != "development"
            and self.jwt_algorithm == "HS256"
            and self.jwt_secret.get_secret_value() == DEV_JWT_SECRET
        ):
            raise ValueError("jwt_secret: the development secret is refused outside development")
        if self.jwt_algorithm == "RS256" and not self.jwks_url:
            raise ValueError("jwks_url: required when jwt_algorithm is RS256")
        return self

    @property
    def encryption_key_list(self) -> list[str]:
        """The encryption keys, newest first."""
        return [k.strip() for k in self.encryption_keys.get_secret_value().split(",") if k.strip()]

    @property
    def effective_log_format(self) -> LogFormat:
        """`log_format` when set; otherwise text in development and JSON everywhere else."""
        if self.log_format is not None:
            return self.log_format
        return "text" if self.environment == "development" else "json"

    @property
    def kafka_servers(self) -> list[str]:
        """The bootstrap servers as a list."""
        return [s.strip() for s in self.kafka_bootstrap_servers.split(",") if s.strip()]
