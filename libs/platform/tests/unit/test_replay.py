"""The pure parts of a rebuild: which topics, what a projection is, the summary, the command."""

from collections import Counter
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import (
    AppointmentBooked,
    BusyTimesReplaced,
    LocationUpserted,
    PatientUpserted,
)
from clinic_platform.cli import run_cli
from clinic_platform.inbox import ReceivedEvent
from clinic_platform.inbox.replay import Projection, ReplayError, ReplaySummary, declared_topics
from clinic_platform.settings import ServiceSettings
from clinic_testkit import free_ports


async def ignore(session: AsyncSession, event: ReceivedEvent) -> None:
    """A handler whose effect does not matter here."""


def no_app(settings: ServiceSettings) -> FastAPI:
    raise AssertionError("rebuild must not build the app")


PROJECTION = Projection({LocationUpserted.event_type: ignore}, ["locations"])


def test_the_topics_replayed_are_those_of_the_handled_types_each_once_and_sorted() -> None:
    handlers = {
        AppointmentBooked.event_type: ignore,
        BusyTimesReplaced.event_type: ignore,
        LocationUpserted.event_type: ignore,
    }
    assert declared_topics("schedules", handlers) == [
        "booking.appointments.v1",
        "booking.catalog.v1",
        "calendar_sync.external.v1",
    ]


def test_a_topic_the_group_does_not_declare_is_refused_by_name() -> None:
    with pytest.raises(ReplayError, match=r"booking\.patients\.v1"):
        declared_topics("schedules", {PatientUpserted.event_type: ignore})


@pytest.mark.parametrize(("handlers", "tables"), [({}, ["locations"]), ({"t": ignore}, [])])
def test_a_projection_needs_handlers_and_tables(
    handlers: dict[str, object], tables: list[str]
) -> None:
    with pytest.raises(ValueError, match="at least one handler and one table"):
        Projection(handlers, tables)  # type: ignore[arg-type]


def test_the_summary_totals_outcomes_over_topics_and_prints_one_line_per_topic() -> None:
    summary = ReplaySummary(
        {
            "b.v1": Counter({"applied": 3, "skipped": 1}),
            "a.v1": Counter({"applied": 2, "duplicate": 4, "ignored": 5}),
        },
        elapsed_s=1.234,
    )
    assert summary.total("applied") == 5
    assert summary.render().splitlines() == [
        "rebuilt in 1.23 s: 5 applied, 4 duplicate, 5 ignored, 1 skipped",
        "  a.v1: 2 applied, 4 duplicate, 5 ignored, 0 skipped",
        "  b.v1: 3 applied, 0 duplicate, 0 ignored, 1 skipped",
    ]


def test_a_service_without_a_projection_has_no_rebuild_command(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(ServiceSettings, no_app, Path("."), ["rebuild"])
    assert exited.value.code == 2
    assert "invalid choice: 'rebuild'" in capsys.readouterr().err


def test_the_command_lists_rebuild_beside_migrate_and_serve(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        run_cli(ServiceSettings, no_app, Path("."), ["--help"], rebuild=PROJECTION)
    assert "{migrate,serve,rebuild}" in capsys.readouterr().out


def test_a_rebuild_that_cannot_reach_the_broker_exits_non_zero_saying_nothing_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    [port] = free_ports(1)
    monkeypatch.setenv("CLINIC_SERVICE_NAME", "schedules")
    monkeypatch.setenv("CLINIC_KAFKA_BOOTSTRAP_SERVERS", f"127.0.0.1:{port}")
    monkeypatch.setenv("CLINIC_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    with pytest.raises(SystemExit) as exited:
        run_cli(ServiceSettings, no_app, Path("."), ["rebuild"], rebuild=PROJECTION)
    assert isinstance(exited.value.code, str)
    assert exited.value.code.startswith("rebuild failed, nothing changed: ")


def test_a_tenant_to_rebuild_must_be_a_uuid(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        run_cli(
            ServiceSettings, no_app, Path("."), ["rebuild", "--tenant", "x"], rebuild=PROJECTION
        )
    assert exited.value.code == 2
    assert "--tenant: invalid UUID value: 'x'" in capsys.readouterr().err
