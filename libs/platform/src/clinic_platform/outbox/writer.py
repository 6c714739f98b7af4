"""Writing events into the outbox inside the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from clinic_contracts import CloudEvent, EventPayload
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

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
    ) -> CloudEvent:
        """Stage `payload` for publication; it reaches Kafka only if the transaction commits."""
        envelope = CloudEvent(
            id=str(uuid4()),
            source=self.source,
            type=payload.event_type,
            time=datetime.now(UTC),
            subject=subject,
            tenantid=tenant_id,
            traceparent=current_traceparent(),
        )
        await session.execute(
            insert(outbox).values(
                event_id=UUID(envelope.id),
                tenant_id=tenant_id,
                topic=payload.topic,
                message_key=payload.message_key(),
                event_type=payload.event_type,
                headers=[[k, v.decode()] for k, v in envelope.to_headers()],
                body=payload.model_dump_json().encode(),
            )
        )
        return envelope
