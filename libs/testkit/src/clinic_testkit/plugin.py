"""pytest plugin (entry point ``clinic_testkit``): real PostgreSQL, Kafka and gateway fixtures,
and the Google Calendar double (``google_calendar``).

Session fixtures start their server lazily, the first time a test asks for it, and stop
managed servers at the end of the session (and at interpreter exit). ``--keep-infra`` or
``CLINIC_KEEP_INFRA=1`` leaves them (and the test databases) running for debugging.
Where they come from: see :mod:`clinic_testkit.infrastructure`.
"""

from __future__ import annotations

import atexit
import os
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from clinic_testkit.databases import DatabaseInfo, create_database, drop_database
from clinic_testkit.infrastructure import (
    KafkaBroker,
    PostgresServer,
    make_state_dir,
    provide_kafka,
    provide_postgres,
)
from clinic_testkit.service_process import ServiceProcess, package_of

if TYPE_CHECKING:
    from clinic_testkit.gateway import Gateway
    from clinic_testkit.google_calendar import GoogleCalendarDouble

FreshDatabase = Callable[..., DatabaseInfo]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("clinic-testkit")
    group.addoption(
        "--keep-infra",
        action="store_true",
        default=False,
        help="leave the PostgreSQL/Kafka servers and test databases of this session running "
        "(also CLINIC_KEEP_INFRA=1)",
    )


def keep_infra(config: pytest.Config) -> bool:
    env = os.environ.get("CLINIC_KEEP_INFRA", "").strip().lower() in {"1", "true", "yes"}
    return env or bool(config.getoption("--keep-infra", default=False))


_NOTES = pytest.StashKey[list[str]]()


def _report(config: pytest.Config, message: str) -> None:
    """Collect a line for the terminal summary (fixture output is captured)."""
    config.stash.setdefault(_NOTES, []).append(message)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    notes = config.stash.get(_NOTES, [])
    if notes:
        terminalreporter.section("clinic-testkit infrastructure", sep="-")
        for note in notes:
            terminalreporter.write_line(note)


@pytest.fixture(scope="session")
def clinic_state_dir(request: pytest.FixtureRequest) -> Iterator[Path]:
    """This session's state dir under /tmp (mode 0755) for local server processes."""
    path = make_state_dir()
    yield path
    if not keep_infra(request.config):
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server(
    request: pytest.FixtureRequest, clinic_state_dir: Path
) -> Iterator[PostgresServer]:
    """A PostgreSQL server with a superuser login (see ``admin_url`` / ``admin_dsn``)."""
    server = provide_postgres(clinic_state_dir)
    keep = keep_infra(request.config)
    if server.managed:
        _report(
            request.config,
            f"PostgreSQL ({server.origin}) at {server.host}:{server.port} "
            f"ready in {server.startup_seconds:.1f}s"
            + (f" [kept; state in {clinic_state_dir}]" if keep else ""),
        )
        if not keep:
            atexit.register(server.close)
    yield server
    if not keep:
        server.close()


@pytest.fixture(scope="session")
def kafka_broker(request: pytest.FixtureRequest, clinic_state_dir: Path) -> Iterator[KafkaBroker]:
    """A Kafka broker; managed ones can be stopped and restarted in place for fault tests."""
    broker = provide_kafka(clinic_state_dir)
    keep = keep_infra(request.config)
    if broker.managed:
        _report(
            request.config,
            f"Kafka ({broker.origin}) at {broker.bootstrap_servers} "
            f"ready in {broker.startup_seconds:.1f}s"
            + (f" [kept; state in {clinic_state_dir}]" if keep else ""),
        )
        if not keep:
            atexit.register(broker.close)
    yield broker
    if not keep:
        broker.close()


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_broker: KafkaBroker) -> str:
    """The bootstrap servers string, e.g. ``127.0.0.1:19092``."""
    return kafka_broker.bootstrap_servers


@pytest.fixture
def fresh_database(
    request: pytest.FixtureRequest, postgres_server: PostgresServer
) -> Iterator[FreshDatabase]:
    """Factory: ``fresh_database(prefix="test") -> DatabaseInfo``; all dropped at teardown."""
    created: list[DatabaseInfo] = []

    def make(
        name_prefix: str = "test", *, extensions: tuple[str, ...] = ("btree_gist",)
    ) -> DatabaseInfo:
        info = create_database(postgres_server, name_prefix, extensions=extensions)
        created.append(info)
        return info

    yield make
    if keep_infra(request.config):
        return
    errors: list[BaseException] = []
    for info in reversed(created):
        try:
            drop_database(postgres_server, info)
        except Exception as exc:  # drop the rest, then report
            errors.append(exc)
    if errors:
        raise errors[0]


LaunchService = Callable[..., ServiceProcess]


@pytest.fixture
def launch_service(fresh_database: FreshDatabase, kafka_bootstrap: str) -> Iterator[LaunchService]:
    """Factory: ``launch_service("booking", schedules_url=...)`` migrates a fresh database for the
    service, starts it as its own process and waits until ready; all stopped at teardown."""
    started: list[ServiceProcess] = []

    def start(service: str, **settings: str) -> ServiceProcess:
        database = fresh_database(package_of(service))
        process = ServiceProcess(service, database.url, kafka_bootstrap, settings)
        process.migrate()
        started.append(process.start())
        return process

    yield start
    for process in started:
        process.stop()


LaunchGateway = Callable[..., "Gateway"]


@pytest.fixture
def launch_gateway() -> Iterator[LaunchGateway]:
    """Factory: ``launch_gateway({"booking": "127.0.0.1:PORT", ...}, client_burst="5")`` starts the
    real nginx gateway and its token verifier (GATEWAY_* settings by field name) on free ports,
    routing to the addresses given; all stopped at teardown. For one gateway per module, use
    ``clinic_testkit.gateway.Gateway`` in a module-scoped fixture."""
    from clinic_testkit.gateway import Gateway  # imports the platform: only when asked for

    started: list[Gateway] = []

    def start(upstreams: Mapping[str, str], **settings: str) -> Gateway:
        gateway = Gateway(upstreams, settings)
        started.append(gateway)
        return gateway.start()

    yield start
    for gateway in started:
        gateway.stop()


@pytest.fixture
def google_calendar() -> Iterator[GoogleCalendarDouble]:
    """The Google Calendar v3 + OAuth 2.0 double on a free loopback port, empty; stopped at
    teardown. Add accounts with ``google_calendar.add_account(email)``; point the service at
    ``api_base_url``, ``token_url``, ``revoke_url`` and ``authorize_url``. For one double per
    module, use ``clinic_testkit.google_calendar.GoogleCalendarDouble`` in a module fixture."""
    from clinic_testkit.google_calendar import GoogleCalendarDouble  # only when asked for

    with GoogleCalendarDouble() as double:
        yield double
    if double.internal_errors:
        raise double.internal_errors[0]
