"""`python -m clinic_contracts.consumers`: silent success, or one line per broken reliance."""

import json
import shutil
from pathlib import Path
from uuid import UUID

import pytest

from clinic_contracts import LocationUpserted
from clinic_contracts.consumers import ConsumerContract, __main__, reads
from clinic_contracts.export import DEFAULT_SCHEMAS_DIR

GROUPS = ("booking", "schedules", "notifications", "calendar-sync")


@pytest.fixture
def contracts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every platform group declares a contract; schedules reads the location's zone."""
    declared = [ConsumerContract(group, ()) for group in GROUPS if group != "schedules"]
    declared.append(
        ConsumerContract("schedules", (reads(LocationUpserted, location_id=UUID, timezone=str),))
    )
    monkeypatch.setattr(__main__, "installed_contracts", lambda: declared)


def test_contracts_that_hold_pass_and_say_what_was_checked(contracts: None, capsys) -> None:
    assert __main__.main([]) == 0
    out = capsys.readouterr().out
    assert "schedules: 1 event type, 2 fields relied on" in out


def test_a_committed_schema_without_a_relied_field_fails_naming_consumer_and_field(
    contracts: None, tmp_path: Path, capsys
) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMAS_DIR, schemas)
    path = schemas / f"{LocationUpserted.event_type}.json"
    committed = json.loads(path.read_text())
    del committed["properties"]["timezone"]
    path.write_text(json.dumps(committed))
    assert __main__.main(["--schemas-dir", str(schemas)]) == 1
    assert (
        "schedules relies on clinic.booking.location.upserted.v1 field 'timezone': "
        "is not in the payload (committed schemas)"
    ) in capsys.readouterr().err
