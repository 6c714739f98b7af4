"""The service command line: `serve --migrate` migrates, then serves, in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI

from clinic_platform import cli
from clinic_platform.settings import ServiceSettings


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    done: list[str] = []
    monkeypatch.setattr(cli, "upgrade", lambda path, url: done.append(f"upgrade {path} {url}"))
    monkeypatch.setattr(cli.uvicorn, "run", lambda app, **kwargs: done.append("serve"))
    return done


def app(settings: ServiceSettings) -> FastAPI:
    return FastAPI()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["migrate"], ["upgrade"]),
        (["serve"], ["serve"]),
        (["serve", "--migrate"], ["upgrade", "serve"]),
    ],
)
def test_serve_migrates_first_only_when_asked(
    steps: list[str], argv: list[str], expected: list[str]
) -> None:
    cli.run_cli(ServiceSettings, app, Path("migrations"), argv)
    assert [step.split()[0] for step in steps] == expected
    if "upgrade" in expected:
        assert steps[0] == f"upgrade migrations {ServiceSettings().database_url}"


def test_migrate_takes_no_serve_options() -> None:
    with pytest.raises(SystemExit) as exited:
        cli.run_cli(ServiceSettings, app, Path("."), ["migrate", "--migrate"])
    assert exited.value.code == 2
