"""Persistence of the booking service: tables, repositories, migrations."""
