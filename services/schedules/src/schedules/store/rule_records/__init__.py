"""Repositories of the rules this service owns: plain functions over a session; they never commit.

Local times in the JSON documents are "HH:MM" or "HH:MM:SS" strings and an end of "00:00" is the
end of the day (the engine's convention, read back by `schedules.store.rules`). Rows come back as
SQLAlchemy rows; the engine's converters in `schedules.store.rules` turn them into rules.
"""

from schedules.store.rule_records.absences import (
    appointment_type_known,
    blocks_of,
    exceptions_of,
    leaves_of,
)
from schedules.store.rule_records.location import (
    clinic_hours_of,
    delete_holiday,
    holiday,
    holidays_of,
    save_clinic_hours,
    save_holiday,
)
from schedules.store.rule_records.marks import future_appointments, mark_outside_hours
from schedules.store.rule_records.rows import Document, add, change, clock_text, get, remove, rows
from schedules.store.rule_records.templates import lock_templates, replace_templates, templates

__all__ = [
    "Document",
    "add",
    "appointment_type_known",
    "blocks_of",
    "change",
    "clinic_hours_of",
    "clock_text",
    "delete_holiday",
    "exceptions_of",
    "future_appointments",
    "get",
    "holiday",
    "holidays_of",
    "leaves_of",
    "lock_templates",
    "mark_outside_hours",
    "remove",
    "replace_templates",
    "rows",
    "save_clinic_hours",
    "save_holiday",
    "templates",
]
