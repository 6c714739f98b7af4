"""The gateway fixture: the shipped configuration passes `nginx -t`, and a broken one fails the
fixture loudly with nginx's own message instead of a hanging or skipped test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from clinic_platform.gateway import NginxSettings, render_gateway
from clinic_testkit.gateway import Gateway, find_gateway_dir, nginx_binary
from clinic_testkit.infrastructure import InfrastructureError, make_state_dir

pytestmark = pytest.mark.integration


def test_the_shipped_configuration_with_its_defaults_passes_nginx_t() -> None:
    state = make_state_dir("clinic-gateway-check-")
    try:
        gateway = find_gateway_dir()
        config = render_gateway(gateway, state, gateway / "upstreams.conf", NginxSettings())
        checked = subprocess.run(
            [nginx_binary(), "-t", "-e", "stderr", "-p", str(state), "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr
    finally:
        shutil.rmtree(state, ignore_errors=True)


def test_a_configuration_nginx_refuses_fails_the_fixture_with_nginx_s_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "gateway"
    shutil.copytree(find_gateway_dir(), broken)
    template = broken / "nginx.conf.template"
    template.write_text(template.read_text().replace("server_tokens off;", "server_tokens maybe;"))
    monkeypatch.setenv("CLINIC_GATEWAY_DIR", str(broken))
    gateway = Gateway({"booking": "127.0.0.1:9"})
    with pytest.raises(InfrastructureError, match=r'(?s)nginx refuses .*invalid value "maybe"'):
        gateway.start()
    gateway.stop()
