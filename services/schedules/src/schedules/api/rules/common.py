"""What the rules routes share: the use cases' context and the `confirm` switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from clinic_platform.auth import CurrentPrincipal
from clinic_platform.runtime import UnitOfWorkDep
from schedules.service.rules.context import RulesContext


def get_context(uow: UnitOfWorkDep, principal: CurrentPrincipal) -> RulesContext:
    """The rules use cases' context for this request."""
    return RulesContext(uow, principal)


RulesContextDep = Annotated[RulesContext, Depends(get_context)]
Confirm = Annotated[
    bool,
    Query(
        description="Apply the change although it leaves booked appointments outside effective "
        "availability (they stay booked and are marked outside hours). Without it such a change "
        "answers 409 listing them."
    ),
]
