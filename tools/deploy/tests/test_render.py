from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clinic_deploy.declaration import Declaration, load
from clinic_deploy.outputs import stale, write
from clinic_deploy.regions import RegionError, replace_region
from clinic_deploy.render import outputs

DERIVED_TREES = ("deploy", "libs/testkit/src/clinic_testkit")


def copy_repo(repo: Path, tmp_path: Path) -> Path:
    for tree in DERIVED_TREES:
        shutil.copytree(repo / tree, tmp_path / tree)
    return tmp_path


def test_the_committed_derived_files_are_current(repo: Path, declaration: Declaration) -> None:
    assert stale(outputs(declaration), repo) == []


def test_a_hand_edit_inside_a_region_is_found_and_undone(
    repo: Path, declaration: Declaration, tmp_path: Path
) -> None:
    root = copy_repo(repo, tmp_path)
    compose = root / "deploy/compose.yaml"
    compose.write_text(compose.read_text().replace("BOOKING_SCHEDULES_URL", "BOOKING_SCHEDULE_URL"))
    upstreams = root / "deploy/gateway/upstreams.conf"
    upstreams.write_text(upstreams.read_text().replace("8002", "8012"))
    assert stale(outputs(declaration), root) == [
        "deploy/compose.yaml: stale",
        "deploy/gateway/upstreams.conf: stale",
    ]
    write(outputs(declaration), root)
    assert stale(outputs(declaration), root) == []
    assert "BOOKING_SCHEDULES_URL" in compose.read_text()


def test_a_new_entry_in_the_declaration_reaches_every_target(repo: Path, tmp_path: Path) -> None:
    root = copy_repo(repo, tmp_path)
    toml = root / "deploy/services.toml"
    toml.write_text(
        toml.read_text() + '\n[[services]]\nname = "waitlist"\nport = 8005\ncalls = ["booking"]\n'
    )
    declaration = load(toml)
    changed = {str(p) for p in write(outputs(declaration), root)}
    assert {
        "deploy/compose.yaml",
        "deploy/gateway/nginx.conf.template",
        "deploy/gateway/upstreams.conf",
        "deploy/gateway/upstreams.compose.conf",
        "deploy/gateway/upstreams.k8s.conf",
        "deploy/local/services.generated.sh",
        "deploy/k8s/base/waitlist/deployment.yaml",
        "deploy/k8s/base/kustomization.yaml",
        "deploy/k8s/overlays/local/kustomization.yaml",
        "deploy/k8s/components/hpa/hpa.yaml",
        "deploy/k8s/components/network-policies/allow-services.yaml",
        "deploy/compose/initdb/10-clinic-databases.sh",
        "libs/testkit/src/clinic_testkit/gateway.py",
    } <= changed
    compose = (root / "deploy/compose.yaml").read_text()
    assert "  waitlist-migrate:\n" in compose
    assert "      waitlist: { condition" in compose
    assert (
        "location /api/v1/waitlist/ {" in (root / "deploy/gateway/nginx.conf.template").read_text()
    )
    assert (
        "SERVICES=(booking:8001 schedules:8002 notifications:8003 calendar-sync:8004 "
        "waitlist:8005)" in (root / "deploy/local/services.generated.sh").read_text()
    )
    policies = (root / "deploy/k8s/components/network-policies/allow-services.yaml").read_text()
    assert "name: waitlist-to-booking" in policies


def test_a_removed_service_leaves_no_derived_file_behind(repo: Path, tmp_path: Path) -> None:
    root = copy_repo(repo, tmp_path)
    toml = root / "deploy/services.toml"
    text = toml.read_text()
    toml.write_text(text[: text.index('[[services]]\nname = "calendar-sync"')])
    declaration = load(toml)
    assert "deploy/k8s/base/calendar-sync/deployment.yaml: derived from nothing declared now" in (
        stale(outputs(declaration), root)
    )
    write(outputs(declaration), root)
    assert not (root / "deploy/k8s/base/calendar-sync/deployment.yaml").exists()
    assert stale(outputs(declaration), root) == []


def test_a_region_keeps_everything_outside_its_markers() -> None:
    text = "a\n  # >>> generated: x (…)\n  old\n  # <<< generated: x\nb\n"
    assert replace_region(text, "x", "new\nlines\n") == (
        "a\n  # >>> generated: x (clinic_deploy render, from deploy/services.toml; do not edit)\n"
        "  new\n  lines\n  # <<< generated: x\nb\n"
    )


def test_a_file_without_its_markers_is_an_error() -> None:
    with pytest.raises(RegionError, match="no '# >>> generated: x' marker"):
        replace_region("nothing here\n", "x", "body")
    with pytest.raises(RegionError, match="no '# <<< generated: x' marker"):
        replace_region("# >>> generated: x\n", "x", "body")
