"""The committed schemas are current, and the exporter refuses stale or breaking states."""

import json
import shutil
from pathlib import Path

import pytest

from clinic_contracts.export import DEFAULT_SCHEMAS_DIR, main, stale_files


def test_the_committed_schemas_are_not_stale() -> None:
    assert stale_files(DEFAULT_SCHEMAS_DIR) == [], "run: uv run python -m clinic_contracts.export"


def test_the_committed_schemas_pass_the_check() -> None:
    assert main(["--check"]) == 0


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMAS_DIR, target)
    return target


def test_check_fails_when_a_file_is_stale(schemas: Path, capsys) -> None:
    (schemas / "asyncapi.json").write_text("{}\n")
    assert main(["--check", "--schemas-dir", str(schemas)]) == 1
    assert "asyncapi.json" in capsys.readouterr().err


def test_export_rewrites_a_stale_file(schemas: Path) -> None:
    (schemas / "asyncapi.json").write_text("{}\n")
    assert main(["--schemas-dir", str(schemas)]) == 0
    assert stale_files(schemas) == []


def test_export_refuses_to_overwrite_a_breaking_change(schemas: Path, capsys) -> None:
    path = schemas / "clinic.booking.appointment.booked.v1.json"
    committed = json.loads(path.read_text())
    committed["properties"]["legacy_field"] = {"type": "string"}
    path.write_text(json.dumps(committed))
    assert main(["--schemas-dir", str(schemas)]) == 1
    assert "legacy_field" in capsys.readouterr().err
    assert "legacy_field" in path.read_text()
    assert main(["--check", "--schemas-dir", str(schemas)]) == 1
    assert main(["--allow-breaking", "--schemas-dir", str(schemas)]) == 0
    assert stale_files(schemas) == []


def test_a_removed_event_type_fails_the_check(schemas: Path, capsys) -> None:
    (schemas / "clinic.booking.retired_thing.v1.json").write_text('{"type": "object"}\n')
    assert main(["--check", "--schemas-dir", str(schemas)]) == 1
    assert "event_type_removed" in capsys.readouterr().err


def test_the_asyncapi_document_covers_every_topic_and_event() -> None:
    document = json.loads((DEFAULT_SCHEMAS_DIR / "asyncapi.json").read_text())
    assert document["asyncapi"] == "3.0.0"
    assert len(document["channels"]) == 6
    committed = {p.stem for p in DEFAULT_SCHEMAS_DIR.glob("clinic.*.json")}
    assert set(document["components"]["messages"]) == committed
