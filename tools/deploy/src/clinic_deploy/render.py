"""Everything `render` derives from the declaration, in one list."""

from __future__ import annotations

from pathlib import Path

from clinic_deploy.declaration import DECLARATION, Declaration, load
from clinic_deploy.outputs import Output
from clinic_deploy.render_compose import compose
from clinic_deploy.render_edge import gateway, local, testkit
from clinic_deploy.render_k8s import kubernetes


def find_root(start: Path | None = None) -> Path:
    """The repository root: the nearest folder above `start` holding deploy/services.toml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / DECLARATION).is_file():
            return folder
    raise FileNotFoundError(f"no {DECLARATION} above {here}")


def outputs(declaration: Declaration) -> list[Output]:
    return [
        *compose(declaration),
        *gateway(declaration),
        *local(declaration),
        *testkit(declaration),
        *kubernetes(declaration),
    ]


def declared(root: Path) -> Declaration:
    return load(root / DECLARATION)
