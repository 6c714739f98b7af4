"""Running a creating use case once per Idempotency-Key, in the same unit of work as its change."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from booking.service.context import BookingContext
from booking.store.idempotency import claim, remember


async def run_once(
    ctx: BookingContext,
    key: str | None,
    operation: str,
    request: BaseModel,
    status_code: int,
    action: Callable[[], Awaitable[BaseModel]],
) -> JSONResponse:
    """Run `action` and commit; with a key already used, answer as the first time did."""
    # The same key on another operation or with another body is a client bug, not a retry.
    fingerprint = hashlib.sha256(f"{operation}\n{request.model_dump_json()}".encode()).hexdigest()
    async with ctx.uow:
        if key is not None:
            replay = await claim(
                ctx.uow.session, ctx.actor.tenant_id, ctx.actor.subject, key, fingerprint
            )
            if replay is not None:
                return JSONResponse(
                    replay.body, replay.status_code, headers={"Idempotent-Replayed": "true"}
                )
        body = (await action()).model_dump(mode="json")
        if key is not None:
            await remember(
                ctx.uow.session, ctx.actor.tenant_id, ctx.actor.subject, key, status_code, body
            )
        await ctx.uow.commit()
    return JSONResponse(body, status_code)
