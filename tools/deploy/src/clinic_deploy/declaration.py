"""`deploy/services.toml` read into typed, checked data: the one declaration of the services.

Every name of a service follows from its `name` (docs/adding-a-service.md); values of settings
may use the placeholders `<name>`, `<package>`, `<PREFIX>`, `<port>` and `<url:SERVICE>`, which
`Service.resolve` fills in for one target.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

Target = Literal["compose", "k8s", "k8s-local", "local"]
TARGETS: tuple[Target, ...] = ("compose", "k8s", "k8s-local", "local")
DECLARATION = Path("deploy/services.toml")

_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_SETTING = re.compile(r"^[A-Z][A-Z0-9_]*$")
_PLACEHOLDER = re.compile(r"<(name|package|PREFIX|port|url:[a-z0-9-]+)>")


class DeclarationError(ValueError):
    """services.toml says something that cannot be deployed."""


@dataclass(frozen=True)
class Service:
    """One service as declared, with every name derived from `name`."""

    name: str
    port: int
    about: str = ""
    calls: tuple[str, ...] = ()
    egress_ports: tuple[int, ...] = ()
    secrets: tuple[str, ...] = ()
    optional_secrets: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    # target → setting (without prefix) → value with placeholders
    settings: Mapping[Target, Mapping[str, str]] = field(default_factory=dict)

    @property
    def package(self) -> str:
        return self.name.replace("-", "_")

    @property
    def prefix(self) -> str:
        return f"{self.package.upper()}_"

    @property
    def image(self) -> str:
        return f"clinic/{self.name}"

    @property
    def distribution(self) -> str:
        return f"clinic-{self.name}"

    @property
    def database(self) -> str:
        return f"clinic_{self.package}"

    @property
    def settings_class(self) -> str:
        return f"{self.package}.config:Settings"


@dataclass(frozen=True)
class Declaration:
    """The whole file: the services in order, and what each target gives every service."""

    version: str
    services: tuple[Service, ...]
    common: Mapping[Target, Mapping[str, str]]
    k8s_secrets: tuple[str, ...]
    k8s_optional_secrets: tuple[str, ...]
    local_gateway: Mapping[str, str]

    def service(self, name: str) -> Service:
        for service in self.services:
            if service.name == name:
                return service
        raise DeclarationError(f"no service {name!r} in {DECLARATION}")

    def url(self, name: str, target: Target) -> str:
        """Where the service `name` answers HTTP in `target`."""
        port = self.service(name).port
        host = "127.0.0.1" if target == "local" else name
        return f"http://{host}:{port}"

    def settings(self, service: Service, target: Target) -> dict[str, str]:
        """Every setting `target` gives `service`, prefixed and resolved (secrets excluded in
        Kubernetes, where they come from the Secret)."""
        layers: list[Mapping[str, str]] = [self.common.get(target, {})]
        layers.append(service.settings.get(target, {}))
        merged: dict[str, str] = {}
        for layer in layers:
            merged.update(layer)
        return {
            f"{service.prefix}{key}": self.resolve(service, value, target)
            for key, value in merged.items()
        }

    def resolve(self, service: Service, value: str, target: Target) -> str:
        """`value` with its placeholders filled in for `service` in `target`."""

        def fill(match: re.Match[str]) -> str:
            word = match.group(1)
            if word.startswith("url:"):
                return self.url(word.removeprefix("url:"), target)
            return {
                "name": service.name,
                "package": service.package,
                "PREFIX": service.prefix,
                "port": str(service.port),
            }[word]

        return _PLACEHOLDER.sub(fill, value)


def load(path: Path) -> Declaration:
    """Read and check the declaration; every problem is a `DeclarationError` naming it."""
    raw = tomllib.loads(path.read_text())
    targets = _table(raw.get("targets", {}), "targets")
    common: dict[Target, Mapping[str, str]] = {}
    for target in TARGETS:
        common[target] = _strings(_table(targets.get(target, {}), target).get("settings", {}))
    k8s = _table(targets.get("k8s", {}), "targets.k8s")
    local = _table(targets.get("local", {}), "targets.local")
    declaration = Declaration(
        version=str(raw["version"]),
        services=tuple(_service(entry) for entry in raw.get("services", [])),
        common=common,
        k8s_secrets=_words(k8s, "secrets"),
        k8s_optional_secrets=_words(k8s, "optional_secrets"),
        local_gateway=_strings(local.get("gateway", {})),
    )
    _check(declaration)
    return declaration


def _service(entry: Mapping[str, object]) -> Service:
    settings: dict[Target, dict[str, str]] = {target: {} for target in TARGETS}
    for key, value in _table(entry.get("settings", {}), "settings").items():
        if isinstance(value, dict):
            if key not in TARGETS:
                raise DeclarationError(f"settings.{key}: not a target ({', '.join(TARGETS)})")
            settings[key].update(_strings(value))
        else:
            for target in TARGETS:
                if target != "k8s-local":  # merged over k8s, which has it already
                    settings[target].update(_strings({key: value}))
    return Service(
        name=str(entry["name"]),
        port=int(cast(int, entry["port"])),
        about=str(entry.get("about", "")),
        calls=_words(entry, "calls"),
        egress_ports=tuple(int(p) for p in cast(list[int], entry.get("egress_ports", []))),
        secrets=_words(entry, "secrets"),
        optional_secrets=_words(entry, "optional_secrets"),
        unused=_words(entry, "unused"),
        settings=settings,
    )


def _check(declaration: Declaration) -> None:
    names = [s.name for s in declaration.services]
    ports = [s.port for s in declaration.services]
    if not names:
        raise DeclarationError("no services declared")
    for what, values in (("name", names), ("port", ports)):
        if len(set(values)) != len(values):
            raise DeclarationError(f"two services share a {what}: {values}")
    for service in declaration.services:
        if not _NAME.match(service.name):
            raise DeclarationError(f"{service.name!r}: lowercase words joined by '-'")
        if not 1024 < service.port < 65536:
            raise DeclarationError(f"{service.name}: port {service.port} is not 1025-65535")
        for called in service.calls:
            if called not in names or called == service.name:
                raise DeclarationError(f"{service.name}: calls unknown service {called!r}")
        keys = [*service.secrets, *service.optional_secrets, *service.unused]
        keys += [k for values in service.settings.values() for k in values]
        for key in keys:
            if not _SETTING.match(key) or key.startswith(service.prefix):
                raise DeclarationError(f"{service.name}: {key!r} is not a setting name")
        for target in TARGETS:
            declaration.settings(service, target)  # every <url:SERVICE> names a service


def _table(value: object, where: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise DeclarationError(f"{where}: a table was expected")
    return cast(Mapping[str, object], value)


def _strings(value: object) -> dict[str, str]:
    table = _table(value, "settings")
    for key, item in table.items():
        if not isinstance(item, str):
            raise DeclarationError(f"{key} = {item!r}: values are strings (quote numbers)")
    return {key: str(item) for key, item in table.items()}


def _words(entry: Mapping[str, object], key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise DeclarationError(f"{entry.get('name')}: {key} is a list")
    return tuple(str(v) for v in value)
