"""Every process of every target gets each setting its class needs — and the check notices
when one is taken away."""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from clinic_deploy.declaration import Declaration
from clinic_deploy.render_edge import LOCAL_SERVICES
from clinic_deploy.units import (
    check,
    compose_units,
    interpolate,
    k8s_units,
    local_environment,
    local_units,
)


@pytest.fixture(scope="module")
def compose(repo: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((repo / "deploy/compose.yaml").read_text())
    return loaded


def test_compose_gives_every_process_its_settings(
    declaration: Declaration, compose: dict[str, Any]
) -> None:
    assert check(compose_units(declaration, compose)) == []


@pytest.mark.parametrize(
    ("service", "variable"),
    [
        ("booking", "BOOKING_SCHEDULES_URL"),
        ("notifications", "NOTIFICATIONS_SMTP_HOST"),
        ("notifications", "NOTIFICATIONS_ENCRYPTION_KEYS"),
        ("schedules", "SCHEDULES_DATABASE_URL"),
        ("gateway-verifier", "GATEWAY_JWT_SECRET"),
        ("gateway", "GATEWAY_REAL_IP_FROM"),
    ],
)
def test_compose_without_a_required_setting_fails_the_check(
    declaration: Declaration, compose: dict[str, Any], service: str, variable: str
) -> None:
    broken = copy.deepcopy(compose)
    del broken["services"][service]["environment"][variable]
    problems = check(compose_units(declaration, broken))
    assert problems
    assert all(variable in p for p in problems)
    assert f"compose: {service} is not given {variable}" in problems[0]


def test_compose_with_a_value_the_service_refuses_fails_the_check(
    declaration: Declaration, compose: dict[str, Any]
) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["notifications"]["environment"]["NOTIFICATIONS_SMTP_PORT"] = "mail"
    problems = check(compose_units(declaration, broken))  # the migration job shares them
    assert [p.split(" refuses")[0] for p in problems] == [
        "compose: notifications",
        "compose: notifications-migrate",
    ]
    assert all("refuses its settings: smtp_port" in p for p in problems)


def test_a_service_compose_does_not_run_fails_the_check(
    declaration: Declaration, compose: dict[str, Any]
) -> None:
    broken = copy.deepcopy(compose)
    del broken["services"]["schedules-migrate"]
    assert check(compose_units(declaration, broken)) == [
        "compose: schedules-migrate is not defined there"
    ]


def test_compose_variables_read_as_compose_reads_them_unset() -> None:
    assert interpolate("a${X:-b}c${Y}d${Z-e}") == "abcde"


def test_every_kubernetes_variant_gives_every_process_its_settings(
    declaration: Declaration, k8s: dict[str, tuple[Path, list[Any]]]
) -> None:
    assert set(k8s) == {"base", "overlays/local", "overlays/local + every component"}
    for variant, (_, docs) in k8s.items():
        assert check(k8s_units(declaration, variant, docs)) == [], variant


def test_kubernetes_without_the_schedules_url_fails_the_check(
    declaration: Declaration, k8s: dict[str, tuple[Path, list[Any]]]
) -> None:
    docs = copy.deepcopy(k8s["base"][1])
    for doc in docs:
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].startswith("booking-"):
            del doc["data"]["BOOKING_SCHEDULES_URL"]
    problems = check(k8s_units(declaration, "base", docs))
    assert [p.split(" (")[0] for p in problems] == [
        "kubernetes base: booking/migrate is not given BOOKING_SCHEDULES_URL",
        "kubernetes base: booking/booking is not given BOOKING_SCHEDULES_URL",
    ]


def test_kubernetes_without_a_secret_reference_fails_the_check(
    declaration: Declaration, k8s: dict[str, tuple[Path, list[Any]]]
) -> None:
    docs = copy.deepcopy(k8s["base"][1])
    for doc in docs:
        if doc["kind"] == "Deployment" and doc["metadata"]["name"] == "notifications":
            container = doc["spec"]["template"]["spec"]["containers"][0]
            container["env"] = [
                e for e in container["env"] if e["name"] != "NOTIFICATIONS_ENCRYPTION_KEYS"
            ]
    problems = check(k8s_units(declaration, "base", docs))
    assert len(problems) == 1
    assert "notifications/notifications is not given NOTIFICATIONS_ENCRYPTION_KEYS" in problems[0]


def test_kubernetes_without_the_gateway_fails_the_check(
    declaration: Declaration, k8s: dict[str, tuple[Path, list[Any]]]
) -> None:
    docs = [d for d in k8s["base"][1] if d["metadata"]["name"] != "gateway"]
    assert check(k8s_units(declaration, "base", docs)) == [
        "kubernetes base: Deployment gateway is not defined there"
    ]


def test_production_in_kubernetes_refuses_rs256_without_a_key_set(
    declaration: Declaration, k8s: dict[str, tuple[Path, list[Any]]]
) -> None:
    docs = copy.deepcopy(k8s["base"][1])
    for doc in docs:
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].startswith("schedules-"):
            doc["data"]["SCHEDULES_JWT_ALGORITHM"] = "RS256"
    problems = check(k8s_units(declaration, "base", docs))
    assert problems
    assert all("jwks_url: required when jwt_algorithm is RS256" in p for p in problems)


def test_the_local_stack_gives_every_process_its_settings(
    repo: Path, declaration: Declaration
) -> None:
    env = local_environment(repo)
    assert env["BOOKING_SCHEDULES_URL"] == "http://127.0.0.1:8002"
    assert env["BOOKING_DATABASE_URL"].endswith("@127.0.0.1:5433/clinic_booking")
    assert check(local_units(declaration, env)) == []


def test_the_local_stack_without_a_required_setting_fails_the_check(
    repo: Path, declaration: Declaration
) -> None:
    env = local_environment(repo)
    del env["NOTIFICATIONS_SMTP_HOST"]
    (problem,) = check(local_units(declaration, env))
    assert problem.startswith("local: notifications is not given NOTIFICATIONS_SMTP_HOST")


def test_the_local_services_file_names_every_service_with_its_port(
    repo: Path, declaration: Declaration
) -> None:
    script = f'source "{repo / LOCAL_SERVICES}"; printf "%s\\n" "${{SERVICES[@]}}"'
    listed = subprocess.run(
        ["/bin/bash", "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert listed == [f"{s.name}:{s.port}" for s in declaration.services]
