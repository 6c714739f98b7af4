"""The demo's catalog and patients in booking: found by name, slug or email, else created."""

from __future__ import annotations

from uuid import UUID

from clinic_demo.api import Api, Json
from clinic_demo.clinic import DemoClinic, LocationSeed, PatientSeed, PractitionerSeed, TypeSeed
from clinic_demo.report import DemoIds, Report


class NotSeeded(Exception):
    """The demo clinic is not (all) there: `make up` or `make demo` seeds it."""


def find_location(api: Api, seed: LocationSeed) -> Json | None:
    return _first(api.list_all(api.booking("/locations")), "name", seed.name)


def find_practitioner(api: Api, seed: PractitionerSeed) -> Json | None:
    return _first(api.list_all(api.booking("/practitioners")), "display_name", seed.display_name)


def find_type(api: Api, seed: TypeSeed) -> Json | None:
    return _first(
        api.list_all(api.booking("/appointment-types"), slug=seed.slug), "slug", seed.slug
    )


def find_patient(api: Api, seed: PatientSeed) -> Json | None:
    return _first(api.list_all(api.booking("/patients")), "email", seed.email)


def _first(items: list[Json], key: str, value: str) -> Json | None:
    return next((item for item in items if item.get(key) == value), None)


def ensure_catalog(api: Api, clinic: DemoClinic, report: Report) -> DemoIds:
    """Location, practitioners (active there), appointment types and patients."""
    ids = DemoIds(location_id=ensure_location(api, clinic.location, report))
    for practitioner in clinic.practitioners:
        ids.practitioners[practitioner.key] = ensure_practitioner(
            api, practitioner, ids.location_id, report
        )
    for kind in clinic.types:
        ids.types[kind.slug] = ensure_type(api, kind, report)
    for patient in clinic.patients:
        ids.patients[patient.key] = ensure_patient(api, patient, report)
    return ids


def ensure_location(api: Api, seed: LocationSeed, report: Report) -> UUID:
    found = find_location(api, seed)
    if found is not None:
        report.keep(f"location {seed.name!r}")
        return UUID(found["id"])
    body = {"name": seed.name, "address": seed.address, "timezone": seed.timezone}
    created = api.post(api.booking("/locations"), body)
    report.create(f"location {seed.name!r} ({seed.timezone})")
    return UUID(created["id"])


def ensure_practitioner(
    api: Api, seed: PractitionerSeed, location_id: UUID, report: Report
) -> UUID:
    """Active at the location: created so, or set so when found otherwise."""
    found = find_practitioner(api, seed)
    if found is None:
        body = {
            "display_name": seed.display_name,
            "bio": seed.bio,
            "specialties": list(seed.specialties),
            "status": "active",
            "location_ids": [str(location_id)],
        }
        created = api.post(api.booking("/practitioners"), body)
        report.create(f"practitioner {seed.display_name} (active)")
        return UUID(created["id"])
    practitioner_id = UUID(found["id"])
    if found["status"] == "active" and str(location_id) in found["location_ids"]:
        report.keep(f"practitioner {seed.display_name}")
        return practitioner_id
    locations = sorted({*found["location_ids"], str(location_id)})
    api.call(
        "PATCH",
        api.booking(f"/practitioners/{practitioner_id}"),
        body={"status": "active", "location_ids": locations},
    )
    report.change(f"practitioner {seed.display_name}: now active at the demo location")
    return practitioner_id


def ensure_type(api: Api, seed: TypeSeed, report: Report) -> UUID:
    found = find_type(api, seed)
    if found is not None:
        report.keep(f"appointment type {seed.slug}")
        return UUID(found["id"])
    body = {
        "slug": seed.slug,
        "name": seed.name,
        "duration_minutes": seed.duration_minutes,
        "price": seed.price,
        "currency": seed.currency,
    }
    created = api.post(api.booking("/appointment-types"), body)
    report.create(f"appointment type {seed.slug} ({seed.duration_minutes} min)")
    return UUID(created["id"])


def ensure_patient(api: Api, seed: PatientSeed, report: Report) -> UUID:
    found = find_patient(api, seed)
    if found is not None:
        report.keep(f"patient {seed.name}")
        return UUID(found["id"])
    body = {
        "name": seed.name,
        "email": seed.email,
        "preferred_language": seed.preferred_language,
        "preferred_channel": "email",
    }
    created = api.post(api.booking("/patients"), body)
    report.create(f"patient {seed.name} <{seed.email}>")
    return UUID(created["id"])


def find_ids(api: Api, clinic: DemoClinic) -> DemoIds:
    """The seeded records' ids, without creating anything; `NotSeeded` names what is missing."""
    location = find_location(api, clinic.location)
    if location is None:
        raise NotSeeded(f"no location {clinic.location.name!r} in tenant {clinic.tenant_id}")
    ids = DemoIds(location_id=UUID(location["id"]))
    missing: list[str] = []
    for practitioner in clinic.practitioners:
        found = find_practitioner(api, practitioner)
        if found is None:
            missing.append(practitioner.display_name)
        else:
            ids.practitioners[practitioner.key] = UUID(found["id"])
    for kind in clinic.types:
        if (found := find_type(api, kind)) is None:
            missing.append(f"appointment type {kind.slug}")
        else:
            ids.types[kind.slug] = UUID(found["id"])
    for patient in clinic.patients:
        if (found := find_patient(api, patient)) is None:
            missing.append(f"patient {patient.email}")
        else:
            ids.patients[patient.key] = UUID(found["id"])
    if missing:
        raise NotSeeded(f"missing from tenant {clinic.tenant_id}: {', '.join(missing)}")
    return ids
