"""Test fixtures on real infrastructure for the clinic platform.

The pytest plugin (``clinic_testkit.plugin``, registered as an entry point) provides the
fixtures ``postgres_server``, ``kafka_broker``, ``kafka_bootstrap``, ``fresh_database`` and
``clinic_state_dir``; the functions below work without pytest too.
"""

from clinic_testkit.databases import DatabaseInfo, create_database, create_role, drop_database
from clinic_testkit.infrastructure import (
    InfrastructureError,
    KafkaBroker,
    PostgresServer,
    docker_available,
    free_ports,
    make_state_dir,
    provide_kafka,
    provide_postgres,
)

__all__ = [
    "DatabaseInfo",
    "InfrastructureError",
    "KafkaBroker",
    "PostgresServer",
    "create_database",
    "create_role",
    "docker_available",
    "drop_database",
    "free_ports",
    "make_state_dir",
    "provide_kafka",
    "provide_postgres",
]
