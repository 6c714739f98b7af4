"""A constraint the database enforced, as the caller's problem: the line behind the checks.

The use cases check every id and unique name first, in the same transaction; a violation that
still reaches the database (a race the checks lost, or a check someone forgot) is answered like
the check would have been, never with a 500.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from booking.store.integrity import missing_reference, violated_constraint
from clinic_platform.errors import Conflict, DomainError, RuleViolation

# Unique indexes whose violation is the caller's conflict, as (code, field).
_UNIQUE = {"uq_appointment_types_tenant_slug": ("slug_taken", "slug")}


def unknown_reference(exc: IntegrityError) -> RuleViolation | None:
    """A 422 naming the field whose id the clinic does not have, if that is what `exc` is."""
    field = missing_reference(exc)
    if field is None:
        return None
    return RuleViolation(
        f"{field} names nothing this clinic has", code="unknown_reference", field=field
    )


def problem_from(exc: IntegrityError) -> DomainError:
    """An unknown id as a 422 naming the field; any other constraint as a 409."""
    unknown = unknown_reference(exc)
    if unknown is not None:
        return unknown
    constraint = violated_constraint(exc)
    code, field = _UNIQUE.get(constraint, ("constraint_violation", None))
    return Conflict(
        f"The change conflicts with existing data ({constraint or 'constraint'}).",
        code=code,
        field=field,
    )
