"""Dependencies the notifications routes share: the caller's tenant unit of work, permissions."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from clinic_platform.auth import CurrentPrincipal, Permission, Principal, require
from clinic_platform.runtime import RuntimeDep
from clinic_platform.store.unit_of_work import UnitOfWork
from notifications.channels import Senders


def get_unit_of_work(runtime: RuntimeDep, principal: CurrentPrincipal) -> UnitOfWork:
    """A unit of work in the caller's tenant; its commit wakes the outbox relay."""
    return runtime.unit_of_work(principal.tenant_id)


def get_senders(request: Request) -> Senders:
    """The channels this deployment offers."""
    senders: Senders = request.app.state.senders
    return senders


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]
SendersDep = Annotated[Senders, Depends(get_senders)]
TemplatesReader = Annotated[Principal, require(Permission.TEMPLATES_READ)]
TemplatesWriter = Annotated[Principal, require(Permission.TEMPLATES_WRITE)]
DeliveriesReader = Annotated[Principal, require(Permission.DELIVERIES_READ)]
Resender = Annotated[Principal, require(Permission.DELIVERIES_RESEND)]
