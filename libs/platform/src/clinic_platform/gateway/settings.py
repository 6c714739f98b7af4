"""The gateway verifier's settings, under the env prefix `GATEWAY_`: the platform's
`ServiceSettings` pattern, so its JWT settings mean what they mean in every service."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from clinic_platform.settings import ServiceSettings


class VerifierSettings(ServiceSettings):
    """The verifier behind nginx's `auth_request`: the JWT settings of `ServiceSettings`
    (HS256 secret or RS256 with `GATEWAY_JWKS_URL`), where it listens, and its verdict cache."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    service_name: str = "gateway-verifier"
    http_port: int = 8090
    # A verdict is reused this long (never past the token's own expiry): a revoked signing key
    # or a token that stops being valid is noticed within this many seconds.
    cache_ttl_s: float = Field(default=5.0, ge=0, le=60)
    cache_max_entries: int = Field(default=10_000, ge=1)
