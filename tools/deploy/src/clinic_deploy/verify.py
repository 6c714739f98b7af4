"""`python -m clinic_deploy verify`: every deploy target checked with real tools.

1. Kubernetes: `kustomize build` of the base, the local overlay, and the local overlay with every
   component; each result validated by kubeconform (strict: unknown fields are errors) against
   the Kubernetes JSON schemas.
2. Compose: deploy/compose.yaml validated against the Compose Specification's JSON schema by
   check-jsonschema.
3. Settings: every process of every target (compose, each Kubernetes variant, the local stack)
   is given each setting its class needs (clinic_deploy.required) and its class accepts them.

The tools come from tools/deploy/install.sh, under $CLINIC_TOOLS_DIR (default .state/tools).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from clinic_deploy.declaration import Declaration
from clinic_deploy.render_compose import COMPOSE
from clinic_deploy.required import load_class, requirements
from clinic_deploy.units import (
    NGINX,
    VERIFIER,
    VERIFIER_UNUSED,
    check,
    compose_units,
    k8s_units,
    local_environment,
    local_units,
)

COMPONENTS = ("otel", "network-policies", "migration-jobs", "rs256-jwks", "hpa")


class ToolMissing(RuntimeError):
    """A tool tools/deploy/install.sh installs is not there."""


@dataclass(frozen=True)
class Tools:
    """Where tools/deploy/install.sh put each tool and schema."""

    root: Path

    @classmethod
    def find(cls, repo: Path) -> Tools:
        return cls(Path(os.environ.get("CLINIC_TOOLS_DIR", repo / ".state" / "tools")))

    def path(self, relative: str) -> Path:
        found = self.root / relative
        if not found.exists():
            raise ToolMissing(f"{found} is missing: run tools/deploy/install.sh")
        return found

    @property
    def kustomize(self) -> Path:
        return self.path("bin/kustomize")

    @property
    def kubeconform(self) -> Path:
        return self.path("bin/kubeconform")

    @property
    def check_jsonschema(self) -> Path:
        return self.path("venv/bin/check-jsonschema")

    @property
    def compose_schema(self) -> Path:
        return self.path("schemas/compose-spec.json")

    @property
    def k8s_schemas(self) -> Path:
        return self.path("schemas/kubernetes")


def variants(repo: Path, work: Path) -> dict[str, Path]:
    """The Kubernetes kustomizations to build: base, overlays/local, overlays/local + all."""
    everything = work / "all-components"
    everything.mkdir(parents=True, exist_ok=True)
    k8s = os.path.relpath(repo / "deploy/k8s", everything)
    (everything / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: clinic\n"
        f"resources:\n  - {k8s}/overlays/local\ncomponents:\n"
        + "".join(f"  - {k8s}/components/{c}\n" for c in COMPONENTS)
    )
    return {
        "base": repo / "deploy/k8s/base",
        "overlays/local": repo / "deploy/k8s/overlays/local",
        "overlays/local + every component": everything,
    }


def build(tools: Tools, kustomization: Path) -> str:
    return _run([str(tools.kustomize), "build", str(kustomization)])


def kubeconform(tools: Tools, manifests: list[Path]) -> str:
    location = f"{tools.k8s_schemas}/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json"
    return _run(
        [str(tools.kubeconform), "-strict", "-summary", "-schema-location", location]
        + [str(m) for m in manifests]
    )


def compose_schema(tools: Tools, compose: Path) -> str:
    return _run(
        [str(tools.check_jsonschema), "--schemafile", str(tools.compose_schema), str(compose)]
    )


def _run(argv: list[str]) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, argv, done.stdout, done.stderr)
    return done.stdout


def rendered_k8s(tools: Tools, repo: Path, work: Path) -> dict[str, tuple[Path, list[Any]]]:
    """Each variant built into work/<n>.yaml, with its parsed documents."""
    out = {}
    for index, (name, kustomization) in enumerate(variants(repo, work).items()):
        text = build(tools, kustomization)
        path = work / f"k8s-{index}.yaml"
        path.write_text(text)
        out[name] = (path, [d for d in yaml.safe_load_all(text) if d])
    return out


def main(repo: Path, declaration: Declaration) -> int:
    tools = Tools.find(repo)
    work = repo / ".state" / "deploy-check"
    work.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    started = time.monotonic()
    try:
        k8s = rendered_k8s(tools, repo, work)
        print(kubeconform(tools, [path for path, _ in k8s.values()]).strip())
        print(f"compose: {compose_schema(tools, repo / COMPOSE).strip()}")
    except subprocess.CalledProcessError as exc:
        print(f"{' '.join(exc.cmd[:2])} failed:\n{exc.stdout}{exc.stderr}", file=sys.stderr)
        return 1
    except ToolMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    compose = yaml.safe_load((repo / COMPOSE).read_text())
    problems += check(compose_units(declaration, compose))
    for variant, (_, docs) in k8s.items():
        problems += check(k8s_units(declaration, variant, docs))
    problems += check(local_units(declaration, local_environment(repo)))
    for problem in problems:
        print(problem, file=sys.stderr)
    verdict = f"{len(problems)} problem(s) above" if problems else "every process gets them"
    print(f"settings: {verdict}; verify took {time.monotonic() - started:.1f}s")
    return 1 if problems else 0


def describe(declaration: Declaration) -> str:
    """What each process needs from a target, and why (`clinic_deploy settings`)."""
    lines = []
    for name, path, unused in _classes(declaration):
        lines.append(f"{name} ({path}):")
        lines += [f"  {r}" for r in requirements(load_class(path), unused)]
    return "\n".join(lines)


def _classes(declaration: Declaration) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for service in declaration.services:
        yield service.name, service.settings_class, service.unused
    yield "gateway verifier", VERIFIER, VERIFIER_UNUSED
    yield "gateway nginx", NGINX, ()
