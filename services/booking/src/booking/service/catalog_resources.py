"""The five catalog resources: their checks against the tenant's rows, and their events."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from booking.domain.catalog import (
    AppointmentType,
    AppointmentTypeSpec,
    Equipment,
    EquipmentSpec,
    Location,
    LocationSpec,
    Practitioner,
    PractitionerSpec,
    Room,
    RoomSpec,
    check_appointment_type,
    check_located,
    check_practitioner,
    refuse_in_use,
)
from booking.service.catalog import Resource
from booking.store.catalog import (
    APPOINTMENT_TYPES,
    EQUIPMENT,
    LOCATIONS,
    PRACTITIONERS,
    ROOMS,
)
from booking.store.entities import count_live, get_many, page
from clinic_contracts.events.catalog import (
    AppointmentTypeRetired,
    AppointmentTypeUpserted,
    EquipmentRetired,
    EquipmentUpserted,
    LocationRetired,
    LocationUpserted,
    PractitionerRetired,
    PractitionerUpserted,
    RoomRetired,
    RoomUpserted,
)
from clinic_platform.errors import Conflict

# Referenced rows are read FOR SHARE: a concurrent retirement waits for this change, then
# sees it (and refuses), instead of both committing.


async def _check_location(session: AsyncSession, spec: LocationSpec, _: Location | None) -> None:
    return None


async def _check_located(
    session: AsyncSession, spec: RoomSpec | EquipmentSpec, _: Room | Equipment | None
) -> None:
    found = await get_many(session, LOCATIONS, [spec.location_id], share=True)
    check_located(spec.location_id, found[0] if found else None)


async def _check_practitioner(
    session: AsyncSession, spec: PractitionerSpec, before: Practitioner | None
) -> None:
    found = await get_many(session, LOCATIONS, spec.location_ids, share=True)
    check_practitioner(spec, before.status if before else None, found)


async def _check_appointment_type(
    session: AsyncSession, spec: AppointmentTypeSpec, before: AppointmentType | None
) -> None:
    room_ids = [spec.default_room_id] if spec.default_room_id else []
    rooms = await get_many(session, ROOMS, room_ids, share=True)
    equipment = await get_many(session, EQUIPMENT, spec.required_equipment_ids, share=True)
    check_appointment_type(spec, rooms[0] if rooms else None, equipment)
    same_slug = await page(session, APPOINTMENT_TYPES, limit=1, where={"slug": spec.slug})
    if same_slug and (before is None or same_slug[0].id != before.id):
        raise Conflict(f"Slug {spec.slug!r} is taken.", code="slug_taken", field="slug")


async def _location_in_use(session: AsyncSession, location_id: UUID) -> None:
    refuse_in_use("location", await count_live(session, ROOMS, location_id=location_id), "rooms")
    equipment = await count_live(session, EQUIPMENT, location_id=location_id)
    refuse_in_use("location", equipment, "equipment")
    served = await count_live(session, PRACTITIONERS, location_ids=location_id)
    refuse_in_use("location", served, "practitioners")


async def _room_in_use(session: AsyncSession, room_id: UUID) -> None:
    users = await count_live(session, APPOINTMENT_TYPES, default_room_id=room_id)
    refuse_in_use("room", users, "appointment types")


async def _equipment_in_use(session: AsyncSession, equipment_id: UUID) -> None:
    users = await count_live(session, APPOINTMENT_TYPES, required_equipment_ids=equipment_id)
    refuse_in_use("equipment", users, "appointment types")


async def _never_in_use(session: AsyncSession, entity_id: UUID) -> None:
    return None


def _location_upserted(e: Location) -> LocationUpserted:
    return LocationUpserted(
        location_id=e.id, name=e.name, address=e.address, timezone=e.timezone, active=e.active
    )


def _practitioner_upserted(e: Practitioner) -> PractitionerUpserted:
    return PractitionerUpserted(
        practitioner_id=e.id,
        display_name=e.display_name,
        status=e.status,
        location_ids=e.location_ids,
        specialties=e.specialties,
    )


def _appointment_type_upserted(e: AppointmentType) -> AppointmentTypeUpserted:
    policy = e.model_dump(exclude={"id", "created_at", "updated_at", "retired_at"})
    return AppointmentTypeUpserted(appointment_type_id=e.id, **policy)


def _room_upserted(e: Room) -> RoomUpserted:
    return RoomUpserted(
        room_id=e.id, location_id=e.location_id, name=e.name, capacity=e.capacity, virtual=e.virtual
    )


def _equipment_upserted(e: Equipment) -> EquipmentUpserted:
    return EquipmentUpserted(equipment_id=e.id, location_id=e.location_id, name=e.name)


LOCATION: Resource[Location, LocationSpec] = Resource(
    LOCATIONS,
    LocationSpec,
    "locations",
    _location_upserted,
    lambda i: LocationRetired(location_id=i),
    _check_location,
    _location_in_use,
)
PRACTITIONER: Resource[Practitioner, PractitionerSpec] = Resource(
    PRACTITIONERS,
    PractitionerSpec,
    "practitioners",
    _practitioner_upserted,
    lambda i: PractitionerRetired(practitioner_id=i),
    _check_practitioner,
    _never_in_use,  # its future appointments are the appointments part's business
)
APPOINTMENT_TYPE: Resource[AppointmentType, AppointmentTypeSpec] = Resource(
    APPOINTMENT_TYPES,
    AppointmentTypeSpec,
    "appointment-types",
    _appointment_type_upserted,
    lambda i: AppointmentTypeRetired(appointment_type_id=i),
    _check_appointment_type,
    _never_in_use,
)
ROOM: Resource[Room, RoomSpec] = Resource(
    ROOMS,
    RoomSpec,
    "rooms",
    _room_upserted,
    lambda i: RoomRetired(room_id=i),
    _check_located,
    _room_in_use,
)
EQUIPMENT_ITEM: Resource[Equipment, EquipmentSpec] = Resource(
    EQUIPMENT,
    EquipmentSpec,
    "equipment",
    _equipment_upserted,
    lambda i: EquipmentRetired(equipment_id=i),
    _check_located,
    _equipment_in_use,
)
