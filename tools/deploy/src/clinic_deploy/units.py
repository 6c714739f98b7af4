"""The processes each deploy target runs, with the environment it gives them, and the check
that every setting each needs (clinic_deploy.required) is among it and accepted by its class."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from clinic_deploy.declaration import Declaration
from clinic_deploy.render_edge import LOCAL_SERVICES
from clinic_deploy.required import (
    ALL_REASONS,
    LOCAL_REASONS,
    Reason,
    env_prefix,
    load_class,
    requirements,
)

VERIFIER = "clinic_platform.gateway.settings:VerifierSettings"
NGINX = "clinic_platform.gateway.settings:NginxSettings"
# The verifier is a ServiceSettings too, but it has no database, broker or sealed secrets.
VERIFIER_UNUSED = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "ENCRYPTION_KEYS")
_INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


@dataclass(frozen=True)
class Unit:
    """One process of a target: its settings class and the environment the target gives it."""

    target: str
    process: str
    settings_class: str
    env: Mapping[str, str]
    reasons: frozenset[Reason] = ALL_REASONS
    unused: tuple[str, ...] = ()
    defined: bool = True

    def problems(self) -> list[str]:
        """What this process would lack, or refuse, if the target ran it."""
        where = f"{self.target}: {self.process}"
        if not self.defined:
            return [f"{where} is not defined there"]
        cls = load_class(self.settings_class)
        values = _field_values(cls, self.env)
        found = [
            f"{where} is not given {requirement}"
            for requirement in requirements(cls, self.unused)
            if requirement.applies(values, self.reasons) and requirement.field not in values
        ]
        try:
            cls.model_validate(values)
        except ValidationError as exc:
            errors = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            found.append(f"{where} refuses its settings: {errors}")
        return found


def _field_values(cls: type[BaseSettings], env: Mapping[str, str]) -> dict[str, str]:
    prefix = env_prefix(cls).upper()
    return {
        key[len(prefix) :].lower(): value
        for key, value in env.items()
        if key.upper().startswith(prefix) and key[len(prefix) :].lower() in cls.model_fields
    }


def check(units: Iterable[Unit]) -> list[str]:
    return [problem for unit in units for problem in unit.problems()]


# ---- compose ------------------------------------------------------------------------------


def interpolate(value: object) -> str:
    """A compose value as compose reads it with no variables set: `${X:-d}` → `d`."""
    return _INTERPOLATION.sub(lambda m: m.group(2) or "", str(value))


def compose_units(declaration: Declaration, compose: Mapping[str, Any]) -> Iterator[Unit]:
    services: Mapping[str, Any] = compose.get("services", {})

    def env(name: str) -> dict[str, str]:
        raw = services.get(name, {}).get("environment") or {}
        if isinstance(raw, list):
            raw = dict(item.split("=", 1) for item in raw)
        return {str(k): interpolate(v) for k, v in raw.items()}

    for service in declaration.services:
        for process in (service.name, f"{service.name}-migrate"):
            if process not in services:
                yield _missing("compose", process)
                continue
            yield Unit(
                "compose",
                process,
                service.settings_class,
                env(process),
                ALL_REASONS,
                service.unused,
            )
    yield Unit(
        "compose",
        "gateway-verifier",
        VERIFIER,
        env("gateway-verifier"),
        ALL_REASONS,
        VERIFIER_UNUSED,
    )
    yield Unit("compose", "gateway", NGINX, env("gateway"))


def _missing(target: str, process: str) -> Unit:
    return Unit(target, process, "", {}, defined=False)


# ---- Kubernetes ---------------------------------------------------------------------------


def k8s_units(declaration: Declaration, variant: str, docs: list[Any]) -> Iterator[Unit]:
    """The processes of a rendered Kubernetes variant (kustomize build output)."""
    config_maps = {
        d["metadata"]["name"]: d.get("data", {}) for d in docs if d["kind"] == "ConfigMap"
    }
    workloads = {
        (d["kind"], d["metadata"]["name"]): d["spec"]["template"]["spec"]
        for d in docs
        if d["kind"] in ("Deployment", "Job")
    }
    target = f"kubernetes {variant}"
    for service in declaration.services:
        classes = {service.name: service.settings_class, "migrate": service.settings_class}
        pod = workloads.get(("Deployment", service.name))
        if pod is None:
            yield _missing(target, f"Deployment {service.name}")
            continue
        job = workloads.get(("Job", f"{service.name}-migrate"))
        for name, spec in ((service.name, pod), (f"{service.name}-migrate", job)):
            for container in _containers(spec):
                yield Unit(
                    target,
                    f"{name}/{container['name']}",
                    classes[container["name"]],
                    _container_env(container, config_maps),
                    ALL_REASONS,
                    service.unused,
                )
    gateway = workloads.get(("Deployment", "gateway"))
    if gateway is None:
        yield _missing(target, "Deployment gateway")
        return
    classes = {"verifier": VERIFIER, "nginx": NGINX}
    for container in _containers(gateway):
        unused = VERIFIER_UNUSED if container["name"] == "verifier" else ()
        yield Unit(
            target,
            f"gateway/{container['name']}",
            classes[container["name"]],
            _container_env(container, config_maps),
            ALL_REASONS,
            unused,
        )


def _containers(spec: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if spec is None:
        return []
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def _container_env(container: Mapping[str, Any], config_maps: Mapping[str, Any]) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        if ref is not None:
            env.update({str(k): str(v) for k, v in config_maps.get(ref["name"], {}).items()})
    for entry in container.get("env", []):
        if "value" in entry:
            env[entry["name"]] = str(entry["value"])
            continue
        secret = entry.get("valueFrom", {}).get("secretKeyRef")
        if secret is not None:
            # Wired to the Secret; its value is the operator's (a non-development stand-in).
            env[entry["name"]] = f"from-secret-{secret['name']}-{secret['key']}"
    return env


# ---- the local stack ----------------------------------------------------------------------


def local_environment(root: Path) -> dict[str, str]:
    """What sourcing deploy/local/services.generated.sh exports, from an empty environment."""
    script = f'set -eu; source "{root / LOCAL_SERVICES}"; env -0'
    out = subprocess.run(  # noqa: S603 - bash with our own file
        ["/bin/bash", "-c", script],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        check=True,
    ).stdout.decode()
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


def local_units(declaration: Declaration, env: Mapping[str, str]) -> Iterator[Unit]:
    for service in declaration.services:
        yield Unit(
            "local", service.name, service.settings_class, env, LOCAL_REASONS, service.unused
        )
    yield Unit("local", "gateway-verifier", VERIFIER, env, LOCAL_REASONS, VERIFIER_UNUSED)
    yield Unit("local", "gateway", NGINX, env, LOCAL_REASONS)
