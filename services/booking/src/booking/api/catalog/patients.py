"""`/patients`: contact details and preferences (PII). Staff see the tenant's patients; a
patient sees and changes only their own record, and another's id is simply not found."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Response, status

from booking.api.catalog.common import Body, Patch
from booking.api.catalog.paging import Page, PageDep, to_page
from booking.api.examples import PATIENT_CREATE, PATIENT_UPDATE, example
from booking.api.text import Email, LineUserId, Name
from booking.domain.patients import Patient, PatientSpec
from booking.service import patients as service
from booking.service.entities import browse
from booking.store.catalog import PATIENTS
from clinic_contracts.events.patients import ContactChannel
from clinic_contracts.primitives import E164Phone, IanaTimezone, LanguageTag
from clinic_platform.auth import Permission, Principal, require, require_any
from clinic_platform.runtime import UnitOfWorkDep

router = APIRouter(prefix="/patients", tags=["patients"])

Reader = Annotated[Principal, require_any(*service.READ)]
Writer = Annotated[Principal, require_any(*service.WRITE)]
StaffWriter = Annotated[Principal, require(Permission.PATIENTS_WRITE)]
Eraser = Annotated[Principal, require(Permission.PATIENTS_ERASE)]


class PatientCreate(PatientSpec, Body):
    """A new patient; the preferred channel needs its contact detail."""

    model_config = example(PATIENT_CREATE)

    name: Name
    email: Email | None = None
    line_user_id: LineUserId | None = None


class PatientUpdate(Patch):
    """Fields to change; send null to clear an optional contact detail."""

    model_config = example(PATIENT_UPDATE)

    NULLABLE = frozenset({"email", "phone", "line_user_id", "timezone"})
    name: Name | None = None
    email: Email | None = None
    phone: E164Phone | None = None
    line_user_id: LineUserId | None = None
    preferred_language: LanguageTag | None = None
    preferred_channel: ContactChannel | None = None
    timezone: IanaTimezone | None = None


class PatientPublic(Patient):
    """A patient as the API shows it."""


def _public(patient: Patient) -> PatientPublic:
    return PatientPublic.model_validate(patient.model_dump())


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_patient(
    body: PatientCreate, actor: StaffWriter, uow: UnitOfWorkDep
) -> PatientPublic:
    return _public(await service.create_patient(uow, actor, body))


@router.get("", dependencies=[require(Permission.PATIENTS_READ)])
async def list_patients(uow: UnitOfWorkDep, paging: PageDep) -> Page[PatientPublic]:
    found = await browse(uow, PATIENTS, limit=paging.limit + 1, after=paging.after)
    return to_page(found, paging.limit, _public)


@router.get("/{patient_id}")
async def read_patient(patient_id: UUID, actor: Reader, uow: UnitOfWorkDep) -> PatientPublic:
    return _public(await service.read_patient(uow, actor, patient_id))


@router.patch("/{patient_id}")
async def update_patient(
    patient_id: UUID, body: PatientUpdate, actor: Writer, uow: UnitOfWorkDep
) -> PatientPublic:
    return _public(await service.update_patient(uow, actor, patient_id, body.changes()))


@router.delete("/{patient_id}", status_code=status.HTTP_204_NO_CONTENT)
async def erase_patient(patient_id: UUID, actor: Eraser, uow: UnitOfWorkDep) -> Response:
    """Erase the patient's personal data for good (right to erasure); their appointments stay,
    pointing at an anonymous record. Publishes `PatientErased`."""
    await service.erase(uow, actor, patient_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
