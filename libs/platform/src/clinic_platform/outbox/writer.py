"""Writing events into the outbox inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import EventPayload
from clinic_contracts.codec import encode
from clinic_platform.store.platform_tables import outbox
from clinic_platform.telemetry import current_traceparent


class OutboxWriter:
    """Adds events to the outbox of the session's transaction; never commits."""

    def __init__(self, service_name: str) -> None:
        self.source = f"/clinic/{service_name}"

    async def publish(
        self,
        session: AsyncSession,
        payload: EventPayload,
        *,
        tenant_id: UUID,
        subject: str | None = None,
    ) -> UUID:
        """Stage `payload`; it reaches Kafka only if the transaction commits. Returns its ce_id."""
        event_id = uuid4()
        message = encode(
            payload,
            source=self.source,
            tenantid=tenant_id,
            time=datetime.now(UTC),
            subject=subject,
            # The caller's trace continues in every consumer of this event.
            traceparent=current_traceparent(),
            event_id=str(event_id),
        )
        await session.execute(
            insert(outbox).values(
                event_id=event_id,
                tenant_id=tenant_id,
                topic=message.topic,
                message_key=message.key.decode(),
                event_type=payload.event_type,
                headers=[[k, v.decode()] for k, v in message.headers],
                body=message.value,
            )
        )
        return event_id
