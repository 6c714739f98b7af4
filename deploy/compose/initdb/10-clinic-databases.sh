#!/usr/bin/env bash
# One database per service, owned by a role of the same name that is neither superuser nor
# BYPASSRLS: the service owns its tables, and the migrations FORCE row-level security on them.
# Run by the postgres image on the first start of an empty data directory
# (/docker-entrypoint-initdb.d); it is idempotent, so it can also be run by hand against any
# server as a superuser (PGHOST, PGPORT, PGUSER, PGPASSWORD as usual).
#
# Passwords: <SERVICE>_DB_PASSWORD (e.g. BOOKING_DB_PASSWORD, CALENDAR_SYNC_DB_PASSWORD);
# development default `clinic-dev`, the same default deploy/compose.yaml puts in each
# service's DATABASE_URL.
set -euo pipefail

# >>> generated: databases (clinic_deploy render, from deploy/services.toml; do not edit)
SERVICES=(booking schedules notifications calendar_sync)
# <<< generated: databases
ADMIN_DB="${POSTGRES_DB:-postgres}"

psql_admin() { PGOPTIONS='-c client_min_messages=warning' psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet --username "${POSTGRES_USER:-${PGUSER:-postgres}}" "$@"; }

for service in "${SERVICES[@]}"; do
  name="clinic_${service}"
  password_var="$(echo "$service" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  password="${!password_var:-clinic-dev}"
  # psql variables (:'password', :"name") quote the values; nothing is spliced into SQL text.
  psql_admin --dbname "$ADMIN_DB" -v name="$name" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name')\gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'name', :'password')\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name')\gexec
-- A service never reads another service's database: only its own role may connect.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'name')\gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'name', :'name')\gexec
SQL
  # Exclusion constraints over tstzrange need btree_gist; created here by the superuser
  # (the first migration's CREATE EXTENSION IF NOT EXISTS then finds it).
  psql_admin --dbname "$name" -c 'CREATE EXTENSION IF NOT EXISTS btree_gist'
  echo "initdb: database and role ${name} ready"
done
