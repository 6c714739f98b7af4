"""Secrets at rest: sealed values hide the secret, rotate with the keys, and refuse tampering."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from clinic_platform.secrets import SecretBox, SecretUnreadable
from clinic_platform.settings import DEV_ENCRYPTION_KEY, ServiceSettings


def test_a_sealed_secret_hides_it_and_opens_back() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    sealed = box.seal("whsec-0123456789")
    assert "whsec" not in sealed
    assert sealed != box.seal("whsec-0123456789")  # a fresh IV every time
    assert box.open(sealed) == "whsec-0123456789"


def test_keys_rotate_newest_first_and_a_foreign_key_opens_nothing() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_long_ago = SecretBox([old]).seal("s1")
    rotated = SecretBox([new, old])
    assert rotated.open(sealed_long_ago) == "s1"
    sealed_now = rotated.seal("s2")
    assert SecretBox([new]).open(sealed_now) == "s2"
    with pytest.raises(SecretUnreadable):
        SecretBox([old]).open(sealed_now)


def test_a_tampered_value_is_refused() -> None:
    box = SecretBox([Fernet.generate_key().decode()])
    sealed = box.seal("secret")
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SecretUnreadable):
        box.open(tampered)


def test_settings_give_the_keys_and_production_refuses_the_development_key() -> None:
    real, jwt = Fernet.generate_key().decode(), "a-real-production-jwt-secret-0123456789"
    settings = ServiceSettings(
        environment="production", jwt_secret=jwt, encryption_keys=f" {real} , {real}"
    )
    assert settings.encryption_key_list == [real, real]
    assert SecretBox.from_settings(settings).open(SecretBox([real]).seal("x")) == "x"
    assert SecretBox.from_settings(ServiceSettings()).seal("dev")  # development may use it
    refused = ServiceSettings(
        environment="production", jwt_secret=jwt, encryption_keys=DEV_ENCRYPTION_KEY
    )
    with pytest.raises(ValueError, match="encryption_keys"):
        SecretBox.from_settings(refused)
    with pytest.raises(ValueError, match="encryption_keys"):
        SecretBox([])
