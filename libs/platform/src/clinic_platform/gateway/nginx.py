"""The gateway's nginx configuration, rendered from the templates in `deploy/gateway/`.

Each `<name>.template` there is plain nginx with `${GATEWAY_<FIELD>}` placeholders for the
fields of `NginxSettings` (the names envsubst fills in the nginx container image too, see
deploy/compose.yaml). Rendering writes `<name>` for each template and the `upstreams.conf` given
into one directory, so nginx runs as `nginx -p <dir> -c <dir>/nginx.conf`: every path it writes
(pid, temp files) is under `<dir>`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from clinic_platform.gateway.settings import NginxSettings

SUFFIX = ".template"
_PLACEHOLDER = re.compile(r"\$\{GATEWAY_([A-Z0-9_]+)\}")


class TemplateError(ValueError):
    """The template names a placeholder no setting fills."""


def render_text(template: str, values: dict[str, str]) -> str:
    """`template` with each `${GATEWAY_<NAME>}` replaced by `values[<name>]`."""
    unknown = sorted({m.lower() for m in _PLACEHOLDER.findall(template)} - values.keys())
    if unknown:
        raise TemplateError(f"no setting fills the placeholder(s): {', '.join(unknown)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1).lower()], template)


def placeholder_values(settings: NginxSettings, template_dir: Path) -> dict[str, str]:
    """The settings as template values; the web root defaults to `web-root/` beside it."""
    values = {name: str(value) for name, value in settings.model_dump().items()}
    values["web_root"] = settings.web_root or str((template_dir / "web-root").resolve())
    return values


def render_gateway(
    template_dir: Path, out_dir: Path, upstreams: Path, settings: NginxSettings
) -> Path:
    """Write nginx.conf and what it includes into `out_dir`; returns the nginx.conf path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    values = placeholder_values(settings, template_dir)
    for template in sorted(template_dir.glob(f"*{SUFFIX}")):
        rendered = out_dir / template.name.removesuffix(SUFFIX)
        rendered.write_text(render_text(template.read_text(), values))
    shutil.copyfile(upstreams, out_dir / "upstreams.conf")
    return out_dir / "nginx.conf"
