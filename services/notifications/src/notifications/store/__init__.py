"""Persistence of the notifications service: tables, repositories, migrations."""
