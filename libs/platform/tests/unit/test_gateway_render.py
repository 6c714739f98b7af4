"""Rendering the gateway's nginx configuration from deploy/gateway's templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from clinic_platform.gateway import NginxSettings, TemplateError, render_gateway, render_text

TEMPLATES = Path(__file__).resolve().parents[4] / "deploy" / "gateway"


def test_every_placeholder_of_the_templates_is_filled_and_every_setting_is_used(
    tmp_path: Path,
) -> None:
    config = render_gateway(TEMPLATES, tmp_path, TEMPLATES / "upstreams.conf", NginxSettings())
    rendered = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert set(rendered) == {"nginx.conf", "problems.conf", "upstreams.conf"}
    assert config == tmp_path / "nginx.conf"
    assert not any("${" in text for text in rendered.values())
    placeholders = set()
    for template in TEMPLATES.glob("*.template"):
        placeholders |= set(re.findall(r"\$\{GATEWAY_([A-Z0-9_]+)\}", template.read_text()))
    assert {name.lower() for name in placeholders} == set(NginxSettings.model_fields)


def test_the_defaults_listen_on_8080_and_serve_the_web_root_beside_the_templates(
    tmp_path: Path,
) -> None:
    render_gateway(TEMPLATES, tmp_path, TEMPLATES / "upstreams.conf", NginxSettings())
    config = (tmp_path / "nginx.conf").read_text()
    assert "listen 8080;" in config
    assert f"root {TEMPLATES / 'web-root'};" in config
    assert "zone=gw_client:10m rate=20r/s;" in config
    assert "zone=gw_tenant:10m rate=200r/s;" in config


def test_settings_come_from_gateway_env_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_CLIENT_RATE", "600r/m")
    monkeypatch.setenv("GATEWAY_TENANT_BURST", "9")
    settings = NginxSettings()
    assert (settings.client_rate, settings.tenant_burst) == ("600r/m", 9)


def test_a_placeholder_no_setting_fills_is_refused() -> None:
    with pytest.raises(TemplateError, match="no_such_thing"):
        render_text("listen ${GATEWAY_NO_SUCH_THING};", {"listen_port": "8080"})


def test_nginx_variables_are_left_alone() -> None:
    assert render_text("$remote_addr ${GATEWAY_X} $http_x", {"x": "1"}) == "$remote_addr 1 $http_x"


@pytest.mark.parametrize(
    "values",
    [
        {"client_rate": "20"},
        {"tenant_rate": "5r/h"},
        {"web_root": "relative/path"},
        {"inner_socket": "/tmp/a b.sock"},
        {"real_ip_from": "10.0.0.0/8; deny all"},
        {"client_burst": -1},
        {"upstream_timeout_s": 600},
    ],
)
def test_values_that_would_break_or_bend_the_config_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        NginxSettings(**values)  # type: ignore[arg-type]
