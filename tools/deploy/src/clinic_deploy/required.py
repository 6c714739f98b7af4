"""Which settings a deploy target must set, derived from the settings classes themselves.

A setting must be given a value by a target when its default is not safe there:

- it has **no default** (pydantic would refuse to start anyway);
- its default **names this machine** (127.0.0.1, localhost, ::1): a database, broker, SMTP server
  or service URL that only a developer's laptop has, or a listen address no one else can reach;
- its default is a **development value** the platform publishes (`DEV_*` in
  `clinic_platform.settings`, and the `development` environment that accepts them), refused or
  unsafe in production. The local stack (`make up`) is development, so this rule skips it.

A service's `unused` settings (services.toml) are left out: they exist on the shared base class
but the service never reads them. `jwt_secret` matters only where `jwt_algorithm` is HS256, as the
base class's own validator says.
"""

from __future__ import annotations

import enum
import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pydantic import SecretStr
from pydantic_core import PydanticUndefined
from pydantic_settings import BaseSettings

from clinic_platform import settings as platform_settings

_THIS_MACHINE = re.compile(r"(?<![\w.])(127(\.\d{1,3}){3}|localhost|::1)(?![\w.])")
DEVELOPMENT_VALUES = frozenset(
    {
        str(value)
        for key, value in vars(platform_settings).items()
        if key.startswith("DEV_") and isinstance(value, str)
    }
    | {"development"}
)
# Settings that matter only under a condition their class's validator states.
CONDITIONS: Mapping[str, Callable[[Mapping[str, str]], bool]] = {
    "jwt_secret": lambda values: values.get("jwt_algorithm", "HS256") == "HS256",
}


class Reason(enum.Enum):
    NO_DEFAULT = "has no default"
    THIS_MACHINE = "its default only works on a developer's machine"
    DEVELOPMENT_VALUE = "its default is a development value, refused or unsafe in production"


# The local stack runs on this machine in development.
LOCAL_REASONS = frozenset({Reason.NO_DEFAULT, Reason.THIS_MACHINE})
ALL_REASONS = frozenset(Reason)


@dataclass(frozen=True)
class Requirement:
    """One setting a target must set, and why."""

    field: str
    env: str
    reason: Reason
    default: str

    def applies(self, values: Mapping[str, str], reasons: frozenset[Reason]) -> bool:
        """Whether it is required where the (field-named) `values` are set."""
        condition = CONDITIONS.get(self.field)
        return self.reason in reasons and (condition is None or condition(values))

    def __str__(self) -> str:
        return f"{self.env} ({self.reason.value}: {self.default})"


def load_class(path: str) -> type[BaseSettings]:
    """`module:Class` imported."""
    module, _, name = path.partition(":")
    found = getattr(importlib.import_module(module), name)
    if not (isinstance(found, type) and issubclass(found, BaseSettings)):
        raise TypeError(f"{path} is not a pydantic-settings class")
    return found


def env_prefix(settings_class: type[BaseSettings]) -> str:
    return str(settings_class.model_config.get("env_prefix", ""))


def requirements(
    settings_class: type[BaseSettings], unused: Iterable[str] = ()
) -> list[Requirement]:
    """Every setting of the class without a safe default, in declaration order."""
    prefix = env_prefix(settings_class)
    skipped = {name.lower() for name in unused}
    unknown = skipped - set(settings_class.model_fields)
    if unknown:
        raise ValueError(f"{settings_class.__name__} has no setting(s) {sorted(unknown)}")
    found = []
    for name, info in settings_class.model_fields.items():
        if name in skipped:
            continue
        reason, shown = _unsafe_default(info.default, info.default_factory)
        if reason is not None:
            found.append(Requirement(name, f"{prefix}{name}".upper(), reason, shown))
    return found


def _unsafe_default(default: object, factory: object) -> tuple[Reason | None, str]:
    if default is PydanticUndefined and factory is None:
        return Reason.NO_DEFAULT, "none"
    if default is PydanticUndefined and callable(factory):
        default = factory()
    secret = isinstance(default, SecretStr)
    text = default.get_secret_value() if isinstance(default, SecretStr) else str(default)
    shown = "a development secret" if secret else repr(text)
    if default is not None and text in DEVELOPMENT_VALUES:
        return Reason.DEVELOPMENT_VALUE, shown
    if default is not None and _THIS_MACHINE.search(text):
        return Reason.THIS_MACHINE, shown
    return None, shown
