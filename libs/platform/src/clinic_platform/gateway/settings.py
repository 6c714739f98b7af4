"""The gateway's settings, all under the env prefix `GATEWAY_`.

Two classes, because two processes read them: the token verifier is a small service
(`VerifierSettings`, the platform's `ServiceSettings` pattern, so its JWT settings mean what they
mean in every service), and nginx gets its limits and addresses rendered into its configuration
(`NginxSettings`, one field per `${GATEWAY_<FIELD>}` placeholder in `nginx.conf.template`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints
from pydantic_settings import BaseSettings, SettingsConfigDict

from clinic_platform.settings import ServiceSettings

# limit_req's rate syntax: requests per second or per minute.
Rate = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]*r/[sm]$")]
# One address or CIDR (IPv4 or IPv6), as set_real_ip_from takes it.
Cidr = Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$")]
AbsolutePath = Annotated[str, StringConstraints(pattern=r"^/[^\s;{}'\"$]*$")]


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


class NginxSettings(BaseSettings):
    """Values rendered into `deploy/gateway/nginx.conf.template` (see its README for each)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    listen_port: int = Field(default=8080, ge=1, le=65535)
    # The second, internal server (rate limits per tenant) listens here and nowhere else.
    inner_socket: AbsolutePath = "/tmp/clinic-gateway-inner.sock"  # noqa: S108 - a socket path
    # The web app's static build; empty means `web-root/` beside the template.
    web_root: AbsolutePath | None = None
    client_rate: Rate = "20r/s"
    client_burst: int = Field(default=40, ge=0)
    tenant_rate: Rate = "200r/s"
    tenant_burst: int = Field(default=400, ge=0)
    retry_after_s: int = Field(default=1, ge=1)
    # Proxies whose X-Forwarded-For names the real client (the load balancer in front).
    real_ip_from: Cidr = "127.0.0.1/32"
    # How long a service (or an idle WebSocket) may stay silent before the gateway gives up.
    # (The edge server waits 300 s for the route server, so this stays below that.)
    upstream_timeout_s: int = Field(default=30, ge=1, le=290)
