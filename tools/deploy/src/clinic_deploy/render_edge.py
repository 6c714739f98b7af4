"""The gateway's upstreams and routes, the local stack's services file, the tests' service list."""

from __future__ import annotations

from pathlib import Path

from clinic_deploy.declaration import Declaration, DeclarationError
from clinic_deploy.outputs import Output, derived
from clinic_platform.gateway.settings import VerifierSettings

GATEWAY = Path("deploy/gateway")
LOCAL_SERVICES = Path("deploy/local/services.generated.sh")
TESTKIT = Path("libs/testkit/src/clinic_testkit/gateway.py")
VERIFIER_PORT = int(VerifierSettings.model_fields["http_port"].default)


def gateway(declaration: Declaration) -> list[Output]:
    routes = "".join(
        f"location /api/v1/{s.name}/ {{\n    proxy_pass http://{s.name};\n}}\n"
        for s in declaration.services
    )
    return [
        Output(GATEWAY / "nginx.conf.template", regions={"routes": routes}),
        derived(
            "deploy/gateway/upstreams.conf",
            "# Where the services are when they run on this machine (`make up`,\n"
            "# deploy/local/stack.sh); compose uses upstreams.compose.conf, Kubernetes\n"
            "# upstreams.k8s.conf.\n"
            + _upstreams(declaration, "127.0.0.1", "")
            + "# `python -m clinic_platform.gateway serve`, started by deploy/local/gateway.sh.\n"
            + _verifier("127.0.0.1", ""),
        ),
        derived(
            "deploy/gateway/upstreams.compose.conf",
            "# Where the services are in deploy/compose.yaml: container names through Docker's\n"
            "# embedded DNS, re-resolved while running (`resolve`, nginx >= 1.27.3), so a\n"
            "# recreated container's new address is picked up without restarting the gateway.\n"
            "# Mounted as the template upstreams.conf.template.\n"
            "resolver 127.0.0.11 valid=10s ipv6=off;\n\n"
            + _upstreams(declaration, None, " resolve")
            + _verifier("gateway-verifier", " resolve"),
        ),
        derived(
            "deploy/gateway/upstreams.k8s.conf",
            "# Where the services are in Kubernetes: each one's Service in the gateway's\n"
            "# namespace, resolved when nginx starts (ClusterIPs do not change while a Service\n"
            "# exists). The verifier is a sidecar in the gateway's pod.\n"
            + _upstreams(declaration, None, "")
            + _verifier("127.0.0.1", ""),
        ),
    ]


def _upstreams(declaration: Declaration, host: str | None, resolve: str) -> str:
    blocks = []
    for service in declaration.services:
        zone = f"    zone {service.name} 64k;\n" if resolve else ""
        address = f"{host or service.name}:{service.port}"
        blocks.append(
            f"upstream {service.name} {{\n{zone}    server {address}{resolve};\n"
            "    keepalive 8;\n}\n"
        )
    return "".join(blocks) + "\n"


def _verifier(host: str, resolve: str) -> str:
    zone = "    zone gateway_verifier 64k;\n" if resolve else ""
    return (
        "# The token verifier nginx asks before any request reaches a service (auth_request).\n"
        f"upstream gateway_verifier {{\n{zone}    server {host}:{VERIFIER_PORT}{resolve};\n"
        "    keepalive 16;\n}\n"
    )


def local(declaration: Declaration) -> list[Output]:
    entries = " ".join(f"{s.name}:{s.port}" for s in declaration.services)
    lines = [
        "# Sourced by deploy/local/stack.sh: the services `make up` runs (name:port), and the",
        "# settings each needs on this machine, exported unless the caller's environment has them",
        "# (an empty value counts: BOOKING_SCHEDULES_URL= runs booking without schedules).",
        "# shellcheck shell=bash disable=SC2034",
        f"SERVICES=({entries})",
    ]
    for service in declaration.services:
        lines.append(f"# {service.name}: {service.about}")
        lines += [_export(k, v) for k, v in declaration.settings(service, "local").items()]
    lines.append("# the gateway (deploy/local/gateway.sh): its verifier and nginx")
    lines += [_export(f"GATEWAY_{k}", v) for k, v in declaration.local_gateway.items()]
    return [derived(str(LOCAL_SERVICES), "\n".join(lines) + "\n")]


def _export(key: str, value: str) -> str:
    # Values are shell words: ${PG_PORT:-5433} in them is expanded when the file is sourced.
    if any(c in value for c in '"\\`'):
        raise DeclarationError(f"{key}: a local value cannot hold quotes, backslashes or backticks")
    return f'export {key}="${{{key}-{value}}}"'


def testkit(declaration: Declaration) -> list[Output]:
    names = ", ".join(f'"{s.name}"' for s in declaration.services)
    line = f"SERVICES = ({names})"
    if len(line) > 100:
        line = "SERVICES = (\n" + "".join(f'    "{s.name}",\n' for s in declaration.services) + ")"
    return [Output(TESTKIT, regions={"services": line + "\n"})]
