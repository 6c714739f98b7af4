"""Persistence of the calendar-sync service: tables, repositories, migrations."""
