"""The real validators really validate: what they accept here they would refuse broken."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from clinic_deploy.verify import Tools, compose_schema, kubeconform


def test_every_kubernetes_variant_is_valid_against_the_kubernetes_schemas(
    tools: Tools, k8s: dict[str, tuple[Path, list[Any]]]
) -> None:
    summary = kubeconform(tools, [path for path, _ in k8s.values()])
    assert "Invalid: 0, Errors: 0, Skipped: 0" in summary


def test_kubeconform_refuses_a_field_kubernetes_does_not_know(
    tools: Tools, k8s: dict[str, tuple[Path, list[Any]]], tmp_path: Path
) -> None:
    docs = [d for d in k8s["base"][1] if d["kind"] == "Deployment"][:1]
    docs[0]["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump_all(docs))
    with pytest.raises(subprocess.CalledProcessError) as failed:
        kubeconform(tools, [broken])
    assert "readinesProbe" in failed.value.stdout


def test_the_compose_file_is_valid_against_the_compose_specification(
    tools: Tools, repo: Path
) -> None:
    assert "ok" in compose_schema(tools, repo / "deploy/compose.yaml")


def test_the_compose_schema_refuses_what_compose_would(tools: Tools, tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text("services:\n  booking:\n    imgae: clinic/booking\n    read_only: true\n")
    with pytest.raises(subprocess.CalledProcessError) as failed:
        compose_schema(tools, broken)
    assert "imgae" in failed.value.stdout + failed.value.stderr
