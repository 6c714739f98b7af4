"""Services run as their own processes against the real broker and fresh databases."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clinic_testkit.service_process import ServiceProcess, package_of

Launch = Callable[..., ServiceProcess]


@pytest.fixture
def launch(fresh_database: Callable[[str], Any], kafka_bootstrap: str) -> Iterator[Launch]:
    """Migrate and start a service (`launch("booking", schedules_url=...)`); stopped at the end."""
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
