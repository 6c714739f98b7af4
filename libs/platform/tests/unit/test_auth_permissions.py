"""The role table grants what the design says each role may do, and nothing more."""

from uuid import UUID, uuid4

import pytest

from clinic_platform.auth import ROLE_PERMISSIONS, Permission, Principal


def principal(
    *roles: str, practitioner_id: UUID | None = None, patient_id: UUID | None = None
) -> Principal:
    return Principal(
        subject="user-1",
        tenant_id=uuid4(),
        roles=frozenset(roles),
        practitioner_id=practitioner_id,
        patient_id=patient_id,
    )


def test_receptionists_read_analytics_and_hygienists_do_not() -> None:
    assert principal("receptionist").can(Permission.ANALYTICS_READ)
    assert not principal("hygienist").can(Permission.ANALYTICS_READ)


def test_an_ai_agent_may_read_slots_create_holds_and_bookings_and_read_its_own_only() -> None:
    agent = principal("ai_agent")
    assert agent.permissions == {
        Permission.SLOTS_READ,
        Permission.HOLDS_CREATE,
        Permission.APPOINTMENTS_CREATE,
        Permission.APPOINTMENTS_OWN_READ,
    }
    assert not agent.can(Permission.APPOINTMENTS_MANAGE)
    assert not agent.can(Permission.PATIENTS_READ)
    assert not agent.can(Permission.CATALOG_WRITE)


def test_a_practitioner_edits_their_own_availability_but_not_a_colleagues() -> None:
    me, colleague = uuid4(), uuid4()
    practitioner = principal("practitioner", practitioner_id=me)
    own = Permission.PROFESSIONAL_OWN_WRITE
    assert practitioner.can_act_for_practitioner(Permission.PROFESSIONAL_WRITE, own, me)
    assert not practitioner.can_act_for_practitioner(Permission.PROFESSIONAL_WRITE, own, colleague)


def test_a_manager_edits_any_practitioners_availability() -> None:
    manager = principal("clinic_manager")
    assert manager.can_act_for_practitioner(
        Permission.PROFESSIONAL_WRITE, Permission.PROFESSIONAL_OWN_WRITE, uuid4()
    )


def test_an_own_permission_without_a_practitioner_id_grants_nothing() -> None:
    assert not principal("practitioner").can_act_for_practitioner(
        Permission.PROFESSIONAL_READ, Permission.PROFESSIONAL_OWN_READ, uuid4()
    )


def test_a_patient_sees_only_their_own_appointments() -> None:
    me = uuid4()
    patient = principal("patient", patient_id=me)
    read_any, read_own = Permission.APPOINTMENTS_READ, Permission.APPOINTMENTS_OWN_READ
    assert patient.can_act_for_patient(read_any, read_own, me)
    assert not patient.can_act_for_patient(read_any, read_own, uuid4())


def test_unknown_roles_grant_nothing() -> None:
    assert principal("superuser", "root").permissions == frozenset()


def test_roles_combine_by_union() -> None:
    both = principal("hygienist", "receptionist")
    assert both.can(Permission.ANALYTICS_READ)
    assert both.can(Permission.PROFESSIONAL_OWN_WRITE)


def test_an_admin_holds_every_permission() -> None:
    assert principal("admin").permissions == frozenset(Permission)


@pytest.mark.parametrize(
    "permission",
    [Permission.FORCED_BLOCKS_WRITE, Permission.PATIENTS_ERASE],
)
def test_irreversible_actions_stay_with_admins(permission: Permission) -> None:
    holders = {role for role, granted in ROLE_PERMISSIONS.items() if permission in granted}
    assert holders == {"admin"}


def test_internal_services_only_read_rules() -> None:
    service = ROLE_PERMISSIONS["service"]
    assert Permission.CLINIC_HOURS_READ in service
    assert all(p.endswith(".read") for p in service)


def test_permission_names_follow_the_seeds_spelling() -> None:
    assert Permission.CLINIC_HOURS_READ.value == "schedules.clinic_hours.read"
    assert Permission.PROFESSIONAL_OWN_READ.value == "professional.own.read"
    assert principal("receptionist").can("analytics.read")
