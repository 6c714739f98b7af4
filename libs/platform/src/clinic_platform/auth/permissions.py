"""Every permission the platform knows, and the one table that grants them to roles."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class Permission(StrEnum):
    """Permission names as the seeds spell them; `.own.` variants cover only the caller's data."""

    CATALOG_READ = "catalog.read"
    CATALOG_WRITE = "catalog.write"
    PATIENTS_READ = "patients.read"
    PATIENTS_OWN_READ = "patients.own.read"
    PATIENTS_WRITE = "patients.write"
    PATIENTS_OWN_WRITE = "patients.own.write"
    PATIENTS_ERASE = "patients.erase"
    HOLDS_CREATE = "holds.create"
    HOLDS_RELEASE = "holds.release"
    APPOINTMENTS_READ = "appointments.read"
    APPOINTMENTS_OWN_READ = "appointments.own.read"
    APPOINTMENTS_CREATE = "appointments.create"
    APPOINTMENTS_MANAGE = "appointments.manage"
    APPOINTMENTS_OWN_MANAGE = "appointments.own.manage"
    APPOINTMENTS_OVERRIDE_NOTICE = "appointments.override_notice"
    AUDIT_READ = "audit.read"
    CLINIC_HOURS_READ = "schedules.clinic_hours.read"
    CLINIC_HOURS_WRITE = "schedules.clinic_hours.write"
    PROFESSIONAL_READ = "professional.read"
    PROFESSIONAL_OWN_READ = "professional.own.read"
    PROFESSIONAL_WRITE = "professional.write"
    PROFESSIONAL_OWN_WRITE = "professional.own.write"
    EXCEPTIONS_WRITE = "schedules.exceptions.write"
    EXCEPTIONS_OWN_WRITE = "schedules.exceptions.own.write"
    LEAVE_REQUEST = "schedules.leave.request"
    LEAVE_OWN_REQUEST = "schedules.leave.own.request"
    LEAVE_APPROVE = "schedules.leave.approve"
    FORCED_BLOCKS_WRITE = "schedules.forced_blocks.write"
    SLOTS_READ = "availability.slots.read"
    ANALYTICS_READ = "analytics.read"
    TEMPLATES_READ = "notifications.templates.read"
    TEMPLATES_WRITE = "notifications.templates.write"
    DELIVERIES_READ = "notifications.deliveries.read"
    DELIVERIES_RESEND = "notifications.deliveries.resend"
    CALENDAR_CONNECTIONS_MANAGE = "calendar.connections.manage"
    CALENDAR_CONNECTIONS_OWN_MANAGE = "calendar.connections.own.manage"


P = Permission

# Practitioners and hygienists both keep their own chair time; neither reads analytics
# (the seed: "receptionists read analytics; hygienists do not. Don't widen.").
_CLINICIAN = frozenset(
    {
        P.CATALOG_READ,
        P.PATIENTS_READ,  # a clinician sees who is coming; tenancy still bounds it
        P.APPOINTMENTS_OWN_READ,
        P.APPOINTMENTS_OWN_MANAGE,  # complete / no-show their own visits
        P.CLINIC_HOURS_READ,
        P.PROFESSIONAL_OWN_READ,
        P.PROFESSIONAL_OWN_WRITE,  # a practitioner edits only their own availability
        P.EXCEPTIONS_OWN_WRITE,
        P.LEAVE_OWN_REQUEST,
        P.SLOTS_READ,
        P.CALENDAR_CONNECTIONS_OWN_MANAGE,  # connect their own Google / CalDAV calendar
    }
)

# The front desk books for everyone and answers "did my reminder arrive?", but does not
# change anyone's working hours or the catalog.
_RECEPTIONIST = frozenset(
    {
        P.CATALOG_READ,
        P.PATIENTS_READ,
        P.PATIENTS_WRITE,
        P.HOLDS_CREATE,
        P.HOLDS_RELEASE,
        P.APPOINTMENTS_READ,
        P.APPOINTMENTS_CREATE,
        P.APPOINTMENTS_MANAGE,
        P.CLINIC_HOURS_READ,
        P.PROFESSIONAL_READ,
        P.SLOTS_READ,
        P.ANALYTICS_READ,
        P.TEMPLATES_READ,
        P.DELIVERIES_READ,
        P.DELIVERIES_RESEND,
    }
)

# A manager runs the clinic: everything the desk does plus schedules, leave approval, the
# catalog and templates. Forced blocks, erasure and other people's calendar tokens stay
# with admins, because each is irreversible or touches credentials.
_CLINIC_MANAGER = _RECEPTIONIST | {
    P.CATALOG_WRITE,
    P.APPOINTMENTS_OVERRIDE_NOTICE,
    P.AUDIT_READ,
    P.CLINIC_HOURS_WRITE,
    P.PROFESSIONAL_WRITE,
    P.EXCEPTIONS_WRITE,
    P.LEAVE_REQUEST,
    P.LEAVE_APPROVE,
    P.TEMPLATES_WRITE,
}

# A patient browses, holds and books for themselves, and sees or cancels only their own.
_PATIENT = frozenset(
    {
        P.CATALOG_READ,
        P.SLOTS_READ,
        P.HOLDS_CREATE,
        P.HOLDS_RELEASE,
        P.APPOINTMENTS_CREATE,
        P.APPOINTMENTS_OWN_READ,
        P.APPOINTMENTS_OWN_MANAGE,
        P.PATIENTS_OWN_READ,
        P.PATIENTS_OWN_WRITE,
    }
)

# An AI booking agent may read slots, create holds / bookings and read those it made (its
# "own" are the ones it created), nothing else.
_AI_AGENT = frozenset(
    {P.SLOTS_READ, P.HOLDS_CREATE, P.APPOINTMENTS_CREATE, P.APPOINTMENTS_OWN_READ}
)

# Service-to-service calls only read rules (e.g. booking asks schedules about working
# hours); they never act for a person, so they hold no write or PII permission.
_SERVICE = frozenset({P.CATALOG_READ, P.CLINIC_HOURS_READ, P.PROFESSIONAL_READ, P.SLOTS_READ})

ROLE_PERMISSIONS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "admin": frozenset(Permission),  # the tenant's owner: every permission
        "clinic_manager": frozenset(_CLINIC_MANAGER),
        "receptionist": _RECEPTIONIST,
        "practitioner": _CLINICIAN,
        "hygienist": _CLINICIAN,
        "patient": _PATIENT,
        "ai_agent": _AI_AGENT,
        "service": _SERVICE,
    }
)


def permissions_for(roles: frozenset[str]) -> frozenset[str]:
    """The union of the roles' permissions; unknown roles grant nothing."""
    granted: frozenset[str] = frozenset()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return granted
