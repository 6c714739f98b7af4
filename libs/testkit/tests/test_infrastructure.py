"""Helpers and failure paths of clinic_testkit.infrastructure."""

from __future__ import annotations

import shutil
import socket

import pytest

from clinic_testkit import InfrastructureError, PostgresServer, free_ports, make_state_dir
from clinic_testkit.infrastructure import postgres_from_url, start_local_postgres


def test_free_ports_are_distinct_and_bindable() -> None:
    ports = free_ports(3)
    assert len(set(ports)) == 3
    for port in ports:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))


def test_state_dir_is_traversable_by_other_users() -> None:
    path = make_state_dir()
    try:
        assert path.stat().st_mode & 0o777 == 0o755
    finally:
        shutil.rmtree(path)


def test_database_url_is_parsed_as_external_server() -> None:
    server = postgres_from_url("postgresql+psycopg://admin:s%40cret@db.example:6543/app")
    assert (server.host, server.port, server.user, server.password, server.database) == (
        "db.example",
        6543,
        "admin",
        "s@cret",
        "app",
    )
    assert not server.managed
    assert server.admin_dsn == "postgresql://admin:s%40cret@db.example:6543/app"
    assert server.admin_url.startswith("postgresql+psycopg://admin:")


def test_local_server_url_forms() -> None:
    server = PostgresServer(host="127.0.0.1", port=5433, managed=True, origin="local")
    assert server.admin_url == "postgresql+psycopg://postgres@127.0.0.1:5433/postgres"
    assert server.admin_dsn == "postgresql://postgres@127.0.0.1:5433/postgres"


@pytest.mark.integration
def test_local_start_failure_is_loud() -> None:
    state = make_state_dir()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        try:
            with pytest.raises(InfrastructureError, match="already in use"):
                start_local_postgres(state, port=port)
        finally:
            shutil.rmtree(state, ignore_errors=True)
