"""What a constraint the database enforced says about the request that broke it."""

from __future__ import annotations

from psycopg.errors import ForeignKeyViolation
from sqlalchemy.exc import IntegrityError

# Each foreign key a request can break, and the request field it checks. PostgreSQL does not
# print the missing key's values to a role under row-level security, so the name must say it.
REFERENCES = {
    "appointments_tenant_id_appointment_type_id_fkey": "appointment_type_id",
    "appointments_tenant_id_location_id_fkey": "location_id",
    "appointments_tenant_id_patient_id_fkey": "patient_id",
    "appointments_tenant_id_room_id_fkey": "room_id",
    "fk_rooms_location_id_locations": "location_id",
    "fk_equipment_location_id_locations": "location_id",
    "fk_practitioner_locations_location_id_locations": "location_ids",
    "fk_appointment_types_default_room_id_rooms": "default_room_id",
    "fk_appointment_type_equipment_equipment_id_equipment": "required_equipment_ids",
}
# Foreign keys to rows the same statement's own use case made or locked (never a request's id).
INTERNAL = frozenset(
    {
        "appointments_tenant_id_series_id_fkey",
        "occupations_tenant_id_appointment_id_fkey",
        "fk_practitioner_locations_practitioner_id_practitioners",
        "fk_appointment_type_equipment_appointment_type_id_appoi_b24e",  # truncated to 63
    }
)


def missing_reference(exc: IntegrityError) -> str | None:
    """The request field whose id names no row of the tenant, if a foreign key refused it."""
    if not isinstance(exc.orig, ForeignKeyViolation):
        return None
    return REFERENCES.get(violated_constraint(exc))


def violated_constraint(exc: IntegrityError) -> str:
    """The name of the constraint the statement broke ("" when the driver does not say)."""
    diag = getattr(exc.orig, "diag", None)
    return str(getattr(diag, "constraint_name", "") or "")
