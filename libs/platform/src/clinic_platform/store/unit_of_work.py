"""The unit of work: one tenant transaction whose recorded events commit with it, via the outbox."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import EventPayload
from clinic_platform.outbox.writer import OutboxWriter
from clinic_platform.store.sessions import Sessions, tenant_transaction


class UnitOfWork:
    """Use as `async with uow: …; uow.record(event); await uow.commit()`; no commit → rollback."""

    def __init__(
        self,
        sessions: Sessions,
        outbox: OutboxWriter,
        tenant_id: UUID,
        *,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self._sessions = sessions
        self._outbox = outbox
        self._on_commit = on_commit
        self._stack: AsyncExitStack | None = None
        self._session: AsyncSession | None = None
        self._events: list[tuple[EventPayload, str | None]] = []

    @property
    def session(self) -> AsyncSession:
        """The open session; repositories take it and never commit."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    async def __aenter__(self) -> Self:
        self._stack = AsyncExitStack()
        self._session = await self._stack.enter_async_context(
            tenant_transaction(self._sessions, self.tenant_id)
        )
        self._events = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack, session = self._stack, self._session
        self._stack, self._session, self._events = None, None, []
        if stack is None or session is None:
            return
        # Leaving without commit() always rolls back, whether or not an exception is on its way.
        await session.rollback()
        await stack.__aexit__(exc_type, exc, tb)

    def record(self, payload: EventPayload, *, subject: str | None = None) -> None:
        """Record an event to publish if, and only if, this unit of work commits."""
        self._events.append((payload, subject))

    async def commit(self) -> None:
        """Write recorded events to the outbox and commit them with the state change."""
        session = self.session
        for payload, subject in self._events:
            await self._outbox.publish(session, payload, tenant_id=self.tenant_id, subject=subject)
        self._events = []
        await session.commit()
        stack, self._stack, self._session = self._stack, None, None
        if stack is not None:
            await stack.aclose()
        if self._on_commit is not None:
            self._on_commit()
