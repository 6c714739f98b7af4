"""deploy/compose.yaml's derived regions: images, settings, databases, services, gateway."""

from __future__ import annotations

from pathlib import Path

import yaml

from clinic_deploy.declaration import Declaration, Service
from clinic_deploy.outputs import Output

COMPOSE = Path("deploy/compose.yaml")
INITDB = Path("deploy/compose/initdb/10-clinic-databases.sh")


def compose(declaration: Declaration) -> list[Output]:
    services = declaration.services
    return [
        Output(
            COMPOSE,
            regions={
                "images": _images(services),
                "settings": "\n".join(_settings(declaration, s) for s in services),
                "databases": "".join(_database(s) for s in services),
                "services": "\n".join(_service(s) for s in services),
                "gateway-depends-on": "".join(
                    f"{s.name}: {{ condition: service_healthy }}\n" for s in services
                ),
            },
        ),
        Output(
            INITDB,
            regions={"databases": f"SERVICES=({' '.join(s.package for s in services)})\n"},
        ),
    ]


def scalar(key: str, value: str) -> str:
    """`key: value` as one YAML line, quoted where YAML would read something else."""
    return yaml.safe_dump({key: value}, default_flow_style=False, width=1000, sort_keys=False)


def _images(services: tuple[Service, ...]) -> str:
    lines = [
        "# Every image is built from the one deploy/Dockerfile; the build arg SERVICE picks it."
    ]
    for service in services:
        lines += [
            f"x-{service.name}-image: &{service.name}-image",
            f"  image: {service.image}:${{CLINIC_TAG:-dev}}",
            "  build: { context: .., dockerfile: deploy/Dockerfile, "
            f"args: {{ SERVICE: {service.name} }} }}",
        ]
    lines += [
        "# Any service image holds clinic_platform (topic provisioning, the gateway's verifier).",
        "x-platform-image: &platform-image",
        f"  <<: *{services[0].name}-image",
    ]
    return "\n".join(lines) + "\n"


def _settings(declaration: Declaration, service: Service) -> str:
    values = declaration.settings(service, "compose")
    body = "".join("  " + scalar(key, value) for key, value in values.items())
    return f"x-{service.name}-env: &{service.name}-env\n{body}"


def _database(service: Service) -> str:
    var = f"{service.prefix}DB_PASSWORD"
    return f"{var}: ${{{var}:-clinic-dev}}\n"


def _service(service: Service) -> str:
    base = f"<<: [*hardened, *{service.name}-image]"
    probe = (
        '["CMD", "python", "-c", "import urllib.request; '
        f"urllib.request.urlopen('http://127.0.0.1:{service.port}/readyz', timeout=3)\"]"
    )
    return f"""\
# {service.name}: {service.about}
{service.name}-migrate:
  {base}
  command: ["migrate"]
  environment: *{service.name}-env
  depends_on:
    postgres: {{ condition: service_healthy }}
  restart: "no"
{service.name}:
  {base}
  command: ["serve"]
  environment: *{service.name}-env
  depends_on:
    {service.name}-migrate: {{ condition: service_completed_successfully }}
    provision: {{ condition: service_completed_successfully }}
    kafka: {{ condition: service_healthy }}
  healthcheck:
    <<: *ready
    test: {probe}
  stop_grace_period: 30s
  restart: unless-stopped
"""
