"""The PostgreSQL fixtures against the real server."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import errors

from clinic_testkit import DatabaseInfo, PostgresServer, create_role, drop_database
from clinic_testkit.plugin import FreshDatabase

pytestmark = pytest.mark.integration


def test_exclusion_constraint_rejects_overlapping_booking(fresh_database: FreshDatabase) -> None:
    db = fresh_database("exclusion")
    assert db.url.startswith("postgresql+psycopg://")
    assert db.admin_url.startswith("postgresql+psycopg://")
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        conn.execute(
            """
            CREATE TABLE booking (
                room int NOT NULL,
                during tstzrange NOT NULL,
                EXCLUDE USING gist (room WITH =, during WITH &&)
            )
            """
        )
        conn.execute("INSERT INTO booking VALUES (1, '[2026-03-02 09:00Z, 2026-03-02 09:30Z)')")
        conn.execute("INSERT INTO booking VALUES (2, '[2026-03-02 09:00Z, 2026-03-02 09:30Z)')")
        conn.execute("INSERT INTO booking VALUES (1, '[2026-03-02 09:30Z, 2026-03-02 10:00Z)')")
        with pytest.raises(errors.ExclusionViolation):
            conn.execute("INSERT INTO booking VALUES (1, '[2026-03-02 09:15Z, 2026-03-02 09:45Z)')")


def test_owner_is_unprivileged_and_forced_rls_applies(fresh_database: FreshDatabase) -> None:
    db = fresh_database("rls")
    with psycopg.connect(db.dsn, autocommit=True) as conn:
        flags = conn.execute(
            "SELECT rolsuper, rolbypassrls, current_user FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert flags == (False, False, db.owner)
        conn.execute("CREATE TABLE note (tenant text NOT NULL, body text NOT NULL)")
        conn.execute("ALTER TABLE note ENABLE ROW LEVEL SECURITY")
        conn.execute("ALTER TABLE note FORCE ROW LEVEL SECURITY")
        conn.execute(
            "CREATE POLICY tenant_isolation ON note "
            "USING (tenant = current_setting('app.tenant', true)) "
            "WITH CHECK (tenant = current_setting('app.tenant', true))"
        )
        conn.execute("SELECT set_config('app.tenant', 'a', false)")
        conn.execute("INSERT INTO note VALUES ('a', 'hello')")
        with pytest.raises(errors.InsufficientPrivilege):
            conn.execute("INSERT INTO note VALUES ('b', 'sneaky')")
        conn.execute("SELECT set_config('app.tenant', 'b', false)")
        assert conn.execute("SELECT count(*) FROM note").fetchone() == (0,)
    with psycopg.connect(db.admin_dsn) as admin:  # the superuser sees everything
        assert admin.execute("SELECT count(*) FROM note").fetchone() == (1,)


def test_app_role_gets_privileges_on_tables_created_later(
    fresh_database: FreshDatabase, postgres_server: PostgresServer
) -> None:
    db = fresh_database("approle")
    app_dsn = create_role(postgres_server, db, "app", driver=None)
    with psycopg.connect(db.dsn, autocommit=True) as conn:  # "migrations" run as the owner
        conn.execute("CREATE TABLE item (id bigserial PRIMARY KEY, tenant text NOT NULL)")
        conn.execute("ALTER TABLE item ENABLE ROW LEVEL SECURITY")  # no FORCE needed
        conn.execute("CREATE POLICY t ON item USING (tenant = current_setting('app.tenant', true))")
    with psycopg.connect(app_dsn, autocommit=True) as app:
        app.execute("SELECT set_config('app.tenant', 'a', false)")
        app.execute("INSERT INTO item (tenant) VALUES ('a')")
        assert app.execute("SELECT count(*) FROM item").fetchone() == (1,)
        app.execute("SELECT set_config('app.tenant', 'b', false)")
        assert app.execute("SELECT count(*) FROM item").fetchone() == (0,)
        with pytest.raises(errors.InsufficientPrivilege):
            app.execute("DROP TABLE item")


def test_drop_database_removes_database_and_roles(
    fresh_database: FreshDatabase, postgres_server: PostgresServer
) -> None:
    db: DatabaseInfo = fresh_database("dropme")
    create_role(postgres_server, db, "app")
    drop_database(postgres_server, db)
    with psycopg.connect(postgres_server.admin_dsn) as conn:
        assert conn.execute(
            "SELECT count(*) FROM pg_database WHERE datname = %s", (db.name,)
        ).fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE %s", (db.name + "%",)
        ).fetchone() == (0,)
    drop_database(postgres_server, db)  # idempotent; the fixture's teardown does it again
