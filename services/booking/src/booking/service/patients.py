"""Patient use cases, published on the restricted `booking.patients.v1`.

The audit log is append-only, so it never receives personal data: it keeps preferences, and
only which contact fields were set or changed. Erasure then leaves no PII behind in this
database (the outbox's unsent or sent copies of the patient's upserts are dropped too).
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from booking.domain.patients import (
    Patient,
    PatientSpec,
    changed_fields,
    check_patient,
    redacted,
)
from booking.service.entities import commit, load, merge, read
from booking.store.catalog import PATIENTS, erase_patient
from booking.store.entities import insert_entity, replace_entity
from clinic_contracts.events.patients import PatientErased, PatientUpserted
from clinic_platform.auth import Permission, Principal
from clinic_platform.errors import NotFound
from clinic_platform.store.unit_of_work import UnitOfWork

READ = (Permission.PATIENTS_READ, Permission.PATIENTS_OWN_READ)
WRITE = (Permission.PATIENTS_WRITE, Permission.PATIENTS_OWN_WRITE)


def _visible(actor: Principal, patient_id: UUID, permissions: tuple[str, str]) -> None:
    # 404, not 403: a patient must not learn whether someone else's id exists.
    if not actor.can_act_for_patient(*permissions, patient_id):
        raise NotFound(f"No patient {patient_id}.")


async def read_patient(uow: UnitOfWork, actor: Principal, patient_id: UUID) -> Patient:
    """Staff read any patient of the tenant; a patient only themselves."""
    _visible(actor, patient_id, READ)
    return await read(uow, PATIENTS, patient_id)


async def create_patient(uow: UnitOfWork, actor: Principal, spec: PatientSpec) -> Patient:
    """Register a patient."""
    check_patient(spec)
    async with uow:
        patient = await insert_entity(uow.session, PATIENTS, actor.tenant_id, spec)
        await _commit(uow, actor, patient, "created", None, redacted(patient))
    return patient


async def update_patient(
    uow: UnitOfWork, actor: Principal, patient_id: UUID, changes: Mapping[str, object]
) -> Patient:
    """Change contact details or preferences; a patient may change only their own."""
    _visible(actor, patient_id, WRITE)
    async with uow:
        before = await load(uow, PATIENTS, patient_id, lock=True)
        spec = merge(PatientSpec, before, changes)
        check_patient(spec)
        after = await replace_entity(uow.session, PATIENTS, actor.tenant_id, patient_id, spec)
        audit_after = redacted(after) | {"changed_fields": changed_fields(before, after)}
        await _commit(uow, actor, after, "updated", redacted(before), audit_after)
    return after


async def erase(uow: UnitOfWork, actor: Principal, patient_id: UUID) -> None:
    """Scrub the patient's PII for good and tell every replica to delete its copy."""
    async with uow:
        before = await load(uow, PATIENTS, patient_id, lock=True)
        erased_at = await erase_patient(uow.session, patient_id)
        await commit(
            uow,
            actor,
            event=PatientErased(patient_id=patient_id, erased_at=erased_at),
            subject=f"patients/{patient_id}",
            entity_type=PATIENTS.name,
            entity_id=patient_id,
            action="erased",
            before=redacted(before),
            after={"erased_at": erased_at},
        )


async def _commit(
    uow: UnitOfWork,
    actor: Principal,
    patient: Patient,
    action: str,
    before: Mapping[str, object] | None,
    after: Mapping[str, object],
) -> None:
    event = PatientUpserted(
        patient_id=patient.id, **patient.model_dump(exclude={"id", "created_at", "updated_at"})
    )
    await commit(
        uow,
        actor,
        event=event,
        subject=f"patients/{patient.id}",
        entity_type=PATIENTS.name,
        entity_id=patient.id,
        action=action,
        before=before,
        after=after,
    )
