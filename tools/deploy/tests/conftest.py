"""Fixtures: the repository, its declaration, the installed tools, the rendered manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clinic_deploy.declaration import Declaration
from clinic_deploy.render import declared, find_root
from clinic_deploy.verify import Tools, rendered_k8s


@pytest.fixture(scope="session")
def repo() -> Path:
    return find_root(Path(__file__).parent)


@pytest.fixture(scope="session")
def declaration(repo: Path) -> Declaration:
    return declared(repo)


@pytest.fixture(scope="session")
def tools(repo: Path) -> Tools:
    """The tools of tools/deploy/install.sh (`make test` runs it first; tests never skip)."""
    return Tools.find(repo)


@pytest.fixture(scope="session")
def k8s(
    tools: Tools, repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, list[Any]]]:
    """Each Kubernetes variant as `kustomize build` renders it."""
    return rendered_k8s(tools, repo, tmp_path_factory.mktemp("k8s"))
