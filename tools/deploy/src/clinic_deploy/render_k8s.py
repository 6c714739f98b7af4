"""deploy/k8s: each service's base folder, and its part of the base, components and overlay."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from string import Template
from typing import cast

from clinic_deploy.declaration import Declaration, Service
from clinic_deploy.outputs import Output, derived
from clinic_deploy.yamltext import dump

K8S = Path("deploy/k8s")
JWKS = "https://idp.example.invalid/.well-known/jwks.json"
ISSUER = "https://idp.example.invalid/"
OTLP = "http://otel-collector.observability.svc.cluster.local:4318"


def kubernetes(declaration: Declaration) -> list[Output]:
    outputs: list[Output] = []
    for service in declaration.services:
        outputs += _base_folder(declaration, service)
    services = declaration.services
    names = [s.name for s in services]
    outputs += [
        Output(
            K8S / "base/kustomization.yaml",
            regions={
                "resources": "".join(f"- {name}\n" for name in names),
                "images": "".join(
                    f"- name: {s.image}\n  newTag: {declaration.version}\n" for s in services
                ),
            },
        ),
        Output(
            K8S / "overlays/local/kustomization.yaml",
            regions={
                "images": "".join(f"- name: {s.image}\n  newTag: dev\n" for s in services),
                "settings": "".join(
                    _merge(s.name, declaration.settings(s, "k8s-local")) for s in services
                ),
            },
        ),
        derived(str(K8S / "components/hpa/hpa.yaml"), _each(services, "hpa.yaml")),
        derived(
            str(K8S / "components/migration-jobs/jobs.yaml"),
            _each(services, "migrate-job.yaml", declaration),
        ),
        derived(str(K8S / "components/otel/kustomization.yaml"), _otel(services)),
        derived(str(K8S / "components/rs256-jwks/kustomization.yaml"), _rs256(services)),
        derived(
            str(K8S / "components/network-policies/allow-services.yaml"),
            _network_policies(declaration),
        ),
    ]
    return outputs


def _template(name: str) -> Template:
    return Template(resources.files("clinic_deploy.templates").joinpath(name).read_text())


def _fill(name: str, service: Service, declaration: Declaration | None = None) -> str:
    secret_env = _secret_env(declaration, service) if declaration else ""
    return _template(name).substitute(
        name=service.name,
        about=service.about,
        image=service.image,
        port=service.port,
        secret_env=secret_env.rstrip("\n"),
    )


def _each(services: tuple[Service, ...], template: str, decl: Declaration | None = None) -> str:
    return "---\n".join(_fill(template, s, decl) for s in services)


def _secret_env(declaration: Declaration, service: Service) -> str:
    keys = [(k, False) for k in (*declaration.k8s_secrets, *service.secrets)]
    keys += [(k, True) for k in (*declaration.k8s_optional_secrets, *service.optional_secrets)]
    entries = []
    for key, optional in keys:
        env = f"{service.prefix}{key}"
        entries.append(
            f"            - name: {env}\n"
            "              valueFrom:\n"
            "                secretKeyRef:\n"
            f"                  name: {service.name}\n"
            f"                  key: {env}\n" + ("                  optional: true\n" * optional)
        )
    return "".join(entries)


def _base_folder(declaration: Declaration, service: Service) -> list[Output]:
    folder = K8S / "base" / service.name
    secrets = [f"{service.prefix}{k}" for k in (*declaration.k8s_secrets, *service.secrets)]
    optional = [
        f"{service.prefix}{k}"
        for k in (*declaration.k8s_optional_secrets, *service.optional_secrets)
    ]
    config = "".join(f"{k}={v}\n" for k, v in declaration.settings(service, "k8s").items())
    return [
        derived(
            str(folder / "kustomization.yaml"),
            f"# The {service.name} service alone: `kubectl apply -k deploy/k8s/base/{service.name}`"
            " deploys\n# or upgrades just it. Non-secret settings (config.env) become the "
            f"ConfigMap {service.name}-<hash>,\n# so a change rolls the pods; secret ones come "
            f"from the Secret {service.name} (deploy/k8s/README.md).\n"
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
            "  - serviceaccount.yaml\n  - deployment.yaml\n  - service.yaml\n"
            f"configMapGenerator:\n  - name: {service.name}\n    envs:\n      - config.env\n",
        ),
        derived(
            str(folder / "config.env"),
            f"# Settings of {service.name} ({service.settings_class}, prefix "
            f"{service.prefix}).\n# From the Secret {service.name}: {', '.join(secrets)}"
            + (f"; optional: {', '.join(optional)}" if optional else "")
            + ".\n"
            + config,
        ),
        derived(str(folder / "deployment.yaml"), _fill("deployment.yaml", service, declaration)),
        derived(
            str(folder / "service.yaml"),
            f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {service.name}\n  labels:\n"
            f"    app.kubernetes.io/name: {service.name}\nspec:\n  selector:\n"
            f"    app.kubernetes.io/name: {service.name}\n  ports:\n    - name: http\n"
            f"      port: {service.port}\n      targetPort: http\n      appProtocol: http\n",
        ),
        derived(
            str(folder / "serviceaccount.yaml"),
            f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {service.name}\n"
            f"  labels:\n    app.kubernetes.io/name: {service.name}\n"
            "# The service never calls the Kubernetes API.\nautomountServiceAccountToken: false\n",
        ),
    ]


def _merge(name: str, values: dict[str, str]) -> str:
    """One configMapGenerator entry merging `values` into the ConfigMap `name` (text)."""
    if not values:
        return ""
    return dump([[_merge_entry(name, values)]]).removeprefix("---\n")


def _merge_entry(name: str, values: dict[str, str]) -> dict[str, object]:
    return {
        "name": name,
        "behavior": "merge",
        "literals": [f"{k}={v}" for k, v in values.items()],
    }


def _component(comment: str, body: dict[str, object]) -> str:
    head = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}
    return comment + dump([{**head, **body}]).removeprefix("---\n")


def _otel(services: tuple[Service, ...]) -> str:
    merges = [_merge_entry(s.name, {f"{s.prefix}OTLP_ENDPOINT": OTLP}) for s in services]
    return _component(
        "# Traces to an OpenTelemetry collector (OTLP over HTTP; the services append /v1/traces).\n"
        "# Another endpoint: a component of your own listed after this one (README.md).\n",
        {"configMapGenerator": merges},
    )


def _rs256(services: tuple[Service, ...]) -> str:
    prefixes = [(s.name, s.prefix) for s in services] + [("gateway", "GATEWAY_")]
    merges = [
        _merge_entry(
            name,
            {
                f"{prefix}JWT_ALGORITHM": "RS256",
                f"{prefix}JWKS_URL": JWKS,
                f"{prefix}JWT_ISSUER": ISSUER,
                f"{prefix}JWT_AUDIENCE": "clinic-platform",
            },
        )
        for name, prefix in prefixes
    ]
    return _component(
        "# Production tokens: RS256 signatures checked against the identity provider's JWKS (keys\n"
        "# cached for 5 minutes), issuer and audience enforced, for every service and the\n"
        "# gateway's verifier; the Secrets need no JWT secret any more. The URLs are\n"
        "# placeholders: set yours in a component of your own listed after this one (README.md).\n",
        {"configMapGenerator": merges},
    )


def _network_policies(declaration: Declaration) -> str:
    docs: list[tuple[str, dict[str, object]]] = []
    for service in declaration.services:
        callers = [s.name for s in declaration.services if service.name in s.calls]
        from_gateway = {
            "namespaceSelector": {},
            "podSelector": _labels(component="gateway"),
        }
        peers = [from_gateway] + [{"podSelector": _labels(name=c)} for c in callers]
        ingress = [{"from": [peer], "ports": _ports([service.port])} for peer in peers]
        docs.append(
            (
                f"Into {service.name}: the gateway's pods (in any namespace)"
                + "".join(f", {c}" for c in callers),
                _policy(service.name, _labels(name=service.name), ingress=ingress),
            )
        )
        for called in (declaration.service(n) for n in service.calls):
            egress = [
                {"to": [{"podSelector": _labels(name=called.name)}], "ports": _ports([called.port])}
            ]
            docs.append(
                (
                    f"{service.name} asks {called.name} over HTTP (services.toml: calls)",
                    _policy(
                        f"{service.name}-to-{called.name}",
                        _labels(name=service.name),
                        egress=egress,
                    ),
                )
            )
        if service.egress_ports:
            docs.append(
                (
                    f"{service.name} out of the platform (services.toml: egress_ports)",
                    _policy(
                        f"{service.name}-egress",
                        _labels(name=service.name),
                        egress=[{"ports": _ports(service.egress_ports)}],
                    ),
                )
            )
    to_services = {
        "to": [{"podSelector": _labels(component="service")}],
        "ports": _ports([s.port for s in declaration.services]),
    }
    docs.append(
        (
            "The gateway (base/gateway) → every service's port",
            _policy("gateway-to-services", _labels(component="gateway"), egress=[to_services]),
        )
    )
    return "".join(f"# {comment}.\n" + dump([doc]) for comment, doc in docs).removeprefix("---\n")


def _labels(**labels: str) -> dict[str, object]:
    return {"matchLabels": {f"app.kubernetes.io/{k}": v for k, v in labels.items()}}


def _ports(ports: Iterable[int]) -> list[dict[str, object]]:
    return [{"protocol": "TCP", "port": port} for port in ports]


def _policy(
    name: str,
    selector: dict[str, object],
    *,
    ingress: list[dict[str, object]] | None = None,
    egress: list[dict[str, object]] | None = None,
) -> dict[str, object]:
    spec: dict[str, object] = {"podSelector": selector, "policyTypes": []}
    for kind, rules in (("Ingress", ingress), ("Egress", egress)):
        if rules is not None:
            spec["policyTypes"] = [*cast(list[str], spec["policyTypes"]), kind]
            spec[kind.lower()] = rules
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name},
        "spec": spec,
    }
