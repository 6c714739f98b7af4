"""Dependencies the booking routes share: settings, the schedules client, the use-case context."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request

from booking.api.text import IdempotencyKeyText
from booking.clients.schedules import WorkingHours
from booking.config import Settings
from booking.service.context import BookingContext
from clinic_platform.auth import CurrentPrincipal
from clinic_platform.runtime import RuntimeDep, UnitOfWorkDep


def get_booking_settings(runtime: RuntimeDep) -> Settings:
    """The booking settings the app was built with."""
    settings = runtime.settings
    if not isinstance(settings, Settings):  # pragma: no cover - wiring error
        raise TypeError("the booking app must be built with booking.config.Settings")
    return settings


SettingsDep = Annotated[Settings, Depends(get_booking_settings)]


def get_working_hours(request: Request) -> WorkingHours:
    """The app's one schedules client (its breaker state is shared by all requests)."""
    hours: WorkingHours = request.app.state.working_hours
    return hours


def get_context(
    request: Request,
    uow: UnitOfWorkDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
    hours: Annotated[WorkingHours, Depends(get_working_hours)],
) -> BookingContext:
    """The use cases' context for this request; the caller's token is forwarded to schedules."""
    return BookingContext(uow, principal, settings, hours, request.headers.get("authorization"))


ContextDep = Annotated[BookingContext, Depends(get_context)]
IdempotencyKey = Annotated[IdempotencyKeyText | None, Header(alias="Idempotency-Key")]
