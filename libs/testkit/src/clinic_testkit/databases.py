"""Throwaway databases owned by unprivileged roles.

Row-level security never applies to superusers (nor to roles with BYPASSRLS), and a table's
owner bypasses its policies unless the table has ``FORCE ROW LEVEL SECURITY``. So each test
database is owned by a fresh ``NOSUPERUSER NOBYPASSRLS`` login role: migrations run as that
owner and own the tables, and RLS is tested as it will run in production.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import psycopg
from psycopg import sql

from clinic_testkit.infrastructure import PostgresServer

_ROLE_FLAGS = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"


@dataclass(frozen=True)
class DatabaseInfo:
    """A database created for a test and the login of its (non-superuser) owner."""

    name: str
    owner: str
    password: str
    url: str
    """SQLAlchemy URL as the owner: ``postgresql+psycopg://<owner>:<pw>@host:port/<name>``."""
    admin_url: str
    """SQLAlchemy URL to the same database as the server's superuser."""
    dsn: str
    """Plain libpq URL as the owner (psycopg.connect, psql)."""
    admin_dsn: str
    """Plain libpq URL to the same database as the superuser."""


def _identifier(prefix: str) -> str:
    cleaned = re.sub(r"[^a-z0-9_]+", "_", prefix.lower()).strip("_") or "test"
    if cleaned[0].isdigit():
        cleaned = f"db_{cleaned}"
    return f"{cleaned[:40]}_{secrets.token_hex(4)}"


def create_database(
    server: PostgresServer,
    name_prefix: str = "test",
    *,
    extensions: tuple[str, ...] = ("btree_gist",),
) -> DatabaseInfo:
    """Create a uniquely named database owned by a new non-superuser login role.

    `extensions` (default ``btree_gist``) are installed by the superuser in schema public.
    """
    name = _identifier(name_prefix)
    owner = f"{name}_owner"
    password = secrets.token_urlsafe(16)
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} " + _ROLE_FLAGS + " PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(password)
            )
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )
    admin_dsn = server.url(name, driver=None)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        # Before PostgreSQL 15, public is owned by the bootstrap superuser.
        conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(sql.Identifier(owner)))
        for extension in extensions:
            conn.execute(
                sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA public").format(
                    sql.Identifier(extension)
                )
            )
    return DatabaseInfo(
        name=name,
        owner=owner,
        password=password,
        url=server.url(name, user=owner, password=password),
        admin_url=server.url(name),
        dsn=server.url(name, user=owner, password=password, driver=None),
        admin_dsn=admin_dsn,
    )


def create_role(
    server: PostgresServer,
    database: DatabaseInfo,
    name_prefix: str = "app",
    *,
    driver: str | None = "psycopg",
) -> str:
    """A further non-owner login role for `database`; returns its URL.

    It may connect and use schema public, and gets SELECT/INSERT/UPDATE/DELETE on the tables
    (USAGE/SELECT on sequences) that the owner creates from now on, e.g. by migrations.
    Being neither owner nor superuser, RLS policies apply to it even without FORCE.
    """
    role = f"{database.name}_{re.sub(r'[^a-z0-9_]+', '_', name_prefix.lower())[:8]}"
    role = f"{role}_{secrets.token_hex(2)}"
    password = secrets.token_urlsafe(16)
    with psycopg.connect(database.admin_dsn, autocommit=True) as conn:
        ident, owner = sql.Identifier(role), sql.Identifier(database.owner)
        conn.execute(
            sql.SQL("CREATE ROLE {} " + _ROLE_FLAGS + " PASSWORD {}").format(
                ident, sql.Literal(password)
            )
        )
        for statement in (
            "GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}",
            "GRANT USAGE ON SCHEMA public TO {role}",
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
            "GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        ):
            conn.execute(
                sql.SQL(statement).format(db=sql.Identifier(database.name), role=ident, owner=owner)
            )
    return server.url(database.name, user=role, password=password, driver=driver)


def drop_database(server: PostgresServer, database: DatabaseInfo | str) -> None:
    """Drop the database (closing its connections) and the roles created for it."""
    name = database.name if isinstance(database, DatabaseInfo) else database
    with psycopg.connect(server.admin_dsn, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        pattern = name.replace("_", r"\_") + r"\_%"
        roles = conn.execute(
            "SELECT rolname FROM pg_roles WHERE rolname LIKE %s ORDER BY rolname", (pattern,)
        ).fetchall()
        for (role,) in roles:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
