"""Dependencies the notifications routes share: channels and the permission guards."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from clinic_platform.auth import Permission, Principal, require
from notifications.channels import Senders


def get_senders(request: Request) -> Senders:
    """The channels this deployment offers."""
    senders: Senders = request.app.state.senders
    return senders


SendersDep = Annotated[Senders, Depends(get_senders)]
TemplatesReader = Annotated[Principal, require(Permission.TEMPLATES_READ)]
TemplatesWriter = Annotated[Principal, require(Permission.TEMPLATES_WRITE)]
DeliveriesReader = Annotated[Principal, require(Permission.DELIVERIES_READ)]
Resender = Annotated[Principal, require(Permission.DELIVERIES_RESEND)]
