"""Persistence of the schedules service: tables, repositories, migrations."""
