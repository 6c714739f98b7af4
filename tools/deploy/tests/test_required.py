from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from clinic_deploy.required import (
    ALL_REASONS,
    LOCAL_REASONS,
    Reason,
    load_class,
    requirements,
)
from clinic_platform.settings import ServiceSettings


class Waitlist(ServiceSettings):
    """A service someone is adding: each kind of default the rules must tell apart."""

    model_config = SettingsConfigDict(env_prefix="WAITLIST_", extra="ignore", frozen=True)

    booking_url: str = "http://localhost:8001"
    ipv6_peer: str = "[::1]:9000"
    partner_token: SecretStr
    page_size: int = 50
    public_host: str = "waitlist.example.org"
    loopback_lookalike: str = "10.127.0.0.1x"


def required(cls: type[ServiceSettings], unused: tuple[str, ...] = ()) -> dict[str, Reason]:
    return {r.env: r.reason for r in requirements(cls, unused)}


def test_the_list_comes_from_the_class_not_from_a_hand_kept_list() -> None:
    found = required(Waitlist)
    assert found["WAITLIST_BOOKING_URL"] is Reason.THIS_MACHINE
    assert found["WAITLIST_IPV6_PEER"] is Reason.THIS_MACHINE
    assert found["WAITLIST_PARTNER_TOKEN"] is Reason.NO_DEFAULT
    # Inherited from the platform's base class:
    assert found["WAITLIST_DATABASE_URL"] is Reason.THIS_MACHINE
    assert found["WAITLIST_JWT_SECRET"] is Reason.DEVELOPMENT_VALUE
    assert found["WAITLIST_ENCRYPTION_KEYS"] is Reason.DEVELOPMENT_VALUE
    assert found["WAITLIST_ENVIRONMENT"] is Reason.DEVELOPMENT_VALUE
    for safe in ("PAGE_SIZE", "PUBLIC_HOST", "LOOPBACK_LOOKALIKE", "OTLP_ENDPOINT", "JWKS_URL"):
        assert f"WAITLIST_{safe}" not in found


def test_a_setting_declared_unused_is_not_required() -> None:
    assert "WAITLIST_ENCRYPTION_KEYS" not in required(Waitlist, ("ENCRYPTION_KEYS",))


def test_the_services_need_what_the_brief_of_each_deploy_says() -> None:
    booking = required(load_class("booking.config:Settings"), ("ENCRYPTION_KEYS",))
    assert {"BOOKING_SCHEDULES_URL", "BOOKING_DATABASE_URL", "BOOKING_JWT_SECRET"} <= set(booking)
    notifications = required(load_class("notifications.config:Settings"))
    assert {"NOTIFICATIONS_SMTP_HOST", "NOTIFICATIONS_ENCRYPTION_KEYS"} <= set(notifications)
    assert "NOTIFICATIONS_SMTP_PORT" not in notifications  # 1025 is no address by itself


def test_the_jwt_secret_matters_only_with_hs256() -> None:
    (secret,) = [r for r in requirements(Waitlist) if r.field == "jwt_secret"]
    assert secret.applies({}, ALL_REASONS)
    assert secret.applies({"jwt_algorithm": "HS256"}, ALL_REASONS)
    assert not secret.applies({"jwt_algorithm": "RS256"}, ALL_REASONS)


def test_the_local_stack_is_development_so_development_values_are_fine_there() -> None:
    by_field = {r.field: r for r in requirements(Waitlist)}
    assert not by_field["jwt_secret"].applies({}, LOCAL_REASONS)
    assert by_field["booking_url"].applies({}, LOCAL_REASONS)
