"""Catalog and patient routes: one router per resource."""

from fastapi import APIRouter

from booking.api.catalog import (
    appointment_types,
    equipment,
    locations,
    patients,
    practitioners,
    rooms,
)

CATALOG_ROUTERS: list[APIRouter] = [
    locations.router,
    practitioners.router,
    appointment_types.router,
    rooms.router,
    equipment.router,
    patients.router,
]

__all__ = ["CATALOG_ROUTERS"]
