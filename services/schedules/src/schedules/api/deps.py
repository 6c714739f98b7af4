"""Dependencies the schedules routes share: a unit of work in the caller's tenant."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from clinic_platform.auth import CurrentPrincipal
from clinic_platform.runtime import RuntimeDep
from clinic_platform.store.unit_of_work import UnitOfWork


def get_unit_of_work(runtime: RuntimeDep, principal: CurrentPrincipal) -> UnitOfWork:
    """A unit of work in the caller's tenant; its commit wakes the outbox relay."""
    return runtime.unit_of_work(principal.tenant_id)


UnitOfWorkDep = Annotated[UnitOfWork, Depends(get_unit_of_work)]
