from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from clinic_deploy.declaration import Declaration, DeclarationError, load
from clinic_deploy.required import env_prefix, load_class

MINIMAL = """
version = "1"
[[services]]
name = "waitlist"
port = 8005
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "services.toml"
    path.write_text(text)
    return path


def test_every_name_of_a_service_follows_from_its_name(tmp_path: Path) -> None:
    service = load(write(tmp_path, MINIMAL.replace("waitlist", "wait-list"))).services[0]
    assert (service.package, service.prefix, service.image) == (
        "wait_list",
        "WAIT_LIST_",
        "clinic/wait-list",
    )
    assert (service.distribution, service.database) == ("clinic-wait-list", "clinic_wait_list")
    assert service.settings_class == "wait_list.config:Settings"


def test_placeholders_resolve_per_target(tmp_path: Path) -> None:
    text = (
        MINIMAL
        + """
[services.settings]
OWN_URL = "<url:waitlist>"
[services.settings.compose]
DB = "clinic_<package>:${<PREFIX>DB_PASSWORD}@<name>:<port>"
"""
    )
    declaration = load(write(tmp_path, text))
    service = declaration.services[0]
    assert declaration.settings(service, "local")["WAITLIST_OWN_URL"] == "http://127.0.0.1:8005"
    compose = declaration.settings(service, "compose")
    assert compose["WAITLIST_OWN_URL"] == "http://waitlist:8005"
    assert compose["WAITLIST_DB"] == "clinic_waitlist:${WAITLIST_DB_PASSWORD}@waitlist:8005"
    assert "WAITLIST_OWN_URL" not in declaration.settings(service, "k8s-local")


@pytest.mark.parametrize(
    ("addition", "complaint"),
    [
        ('[[services]]\nname = "other"\nport = 8005\n', "share a port"),
        ('[[services]]\nname = "waitlist"\nport = 8006\n', "share a name"),
        ('[[services]]\nname = "Other_one"\nport = 8006\n', "lowercase"),
        ('[[services]]\nname = "other"\nport = 80\n', "not 1025-65535"),
        ('[[services]]\nname = "other"\nport = 8006\ncalls = ["nobody"]\n', "unknown service"),
        ('[[services]]\nname = "other"\nport = 8006\n[services.settings]\nX = 1\n', "strings"),
        (
            '[[services]]\nname = "other"\nport = 8006\n[services.settings]\nX = "<url:no>"\n',
            "no service 'no'",
        ),
        (
            '[[services]]\nname = "other"\nport = 8006\n[services.settings.prod]\nX = "1"\n',
            "not a target",
        ),
        ('[[services]]\nname = "other"\nport = 8006\nsecrets = ["OTHER_X"]\n', "setting name"),
    ],
)
def test_a_declaration_that_cannot_be_deployed_is_refused(
    tmp_path: Path, addition: str, complaint: str
) -> None:
    with pytest.raises(DeclarationError, match=complaint):
        load(write(tmp_path, MINIMAL + addition))


def test_the_declaration_agrees_with_each_services_own_code(
    repo: Path, declaration: Declaration
) -> None:
    # deploy/Dockerfile derives the distribution, package and port from the name alone.
    for service in declaration.services:
        folder = repo / "services" / service.name
        project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
        assert project["name"] == service.distribution
        assert (folder / "src" / service.package / "__main__.py").is_file()
        settings = load_class(service.settings_class)
        assert env_prefix(settings) == service.prefix
        assert settings.model_fields["http_port"].default == service.port
        assert settings.model_fields["service_name"].default == service.name


def test_every_service_folder_is_declared(repo: Path, declaration: Declaration) -> None:
    folders = {p.parent.name for p in (repo / "services").glob("*/pyproject.toml")}
    assert folders == {s.name for s in declaration.services}
