"""Secrets kept at rest (webhook signing keys, calendar tokens), sealed with the service's keys.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`): a sealed value cannot be read or
altered without a key. Settings list the keys newest first; the first seals, every one opens, so
keys rotate by prepending a new one and re-sealing at leisure.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from clinic_platform.settings import DEV_ENCRYPTION_KEY, ServiceSettings


class SecretUnreadable(Exception):
    """A sealed value that none of the configured keys opens (wrong key, or tampered)."""


class SecretBox:
    """Seals and opens short secrets with the newest-first list of Fernet keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("encryption_keys: at least one key is needed")
        self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> SecretBox:
        """The box of the service's `encryption_keys` setting (comma-separated); production
        refuses the development key, which everyone knows."""
        keys = settings.encryption_key_list
        if settings.environment == "production" and DEV_ENCRYPTION_KEY in keys:
            raise ValueError("encryption_keys: the development key is refused in production")
        return cls(keys)

    def seal(self, plain: str) -> str:
        """The secret encrypted and authenticated, as text safe to store."""
        return self._fernet.encrypt(plain.encode()).decode()

    def open(self, sealed: str) -> str:
        """The secret back; `SecretUnreadable` when no key opens it."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except InvalidToken:
            raise SecretUnreadable("no configured key opens this stored secret") from None
