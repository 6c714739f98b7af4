"""The one declaration of every Kafka topic; the provisioning step applies exactly this.

Replication factor and ``min.insync.replicas`` are per environment (1 locally, 3 in production),
so the provisioning step supplies them; everything else about a topic is decided here.
"""

from __future__ import annotations

from dataclasses import dataclass

from clinic_contracts.events import (
    appointments,
    availability,
    calendar_sync,
    catalog,
    notifications,
    patients,
)
from clinic_contracts.events.base import EventPayload

_DAY_MS = 24 * 60 * 60 * 1000


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """How one topic is provisioned, who publishes to it, and what it carries."""

    name: str
    owner: str
    partitions: int
    retention_ms: int | None  # None: keep forever
    compacted: bool
    restricted: bool
    key: str
    description: str
    event_types: tuple[str, ...]
    extra_config: tuple[tuple[str, str], ...] = ()

    def kafka_config(self) -> dict[str, str]:
        """Topic-level Kafka configuration (``cleanup.policy``, ``retention.ms``, …)."""
        config = {
            "cleanup.policy": "compact" if self.compacted else "delete",
            "retention.ms": str(-1 if self.retention_ms is None else self.retention_ms),
        }
        return config | dict(self.extra_config)


def dlq_topic(topic: str, group: str) -> str:
    """Dead-letter topic of consumer group ``group`` reading ``topic``."""
    return f"{topic}.dlq.{group}"


def _types(payloads: tuple[type[EventPayload], ...]) -> tuple[str, ...]:
    return tuple(p.event_type for p in payloads)


# Partitions: the practitioner-keyed topics carry the traffic and need parallel consumers;
# catalog, patients and deliveries are small. Partitions can grow later, never shrink.
# Retention: replicas and occupancy are rebuilt by replaying from the start, so the state-
# carrying topics keep everything (no PII in them); calendar busy times are re-published on
# every sync and deliveries are an audit stream, so a month is plenty there.
TOPICS: tuple[TopicSpec, ...] = (
    TopicSpec(
        name=catalog.TOPIC,
        owner="booking",
        partitions=3,
        retention_ms=None,
        compacted=True,
        restricted=False,
        key="id of the entity (location, practitioner, appointment type, room, equipment)",
        description="The core catalog, one latest record per entity.",
        event_types=_types(catalog.PAYLOADS),
    ),
    TopicSpec(
        name=patients.TOPIC,
        owner="booking",
        partitions=3,
        retention_ms=None,
        compacted=True,
        restricted=True,
        key="patient id",
        description="Patients' contact details and preferences (PII; notifications only).",
        event_types=_types(patients.PAYLOADS),
        # Bound how long superseded PII survives an erasure: segments roll daily and
        # compaction must run within a week of a PatientErased record.
        extra_config=(("max.compaction.lag.ms", str(7 * _DAY_MS)), ("segment.ms", str(_DAY_MS))),
    ),
    TopicSpec(
        name=appointments.TOPIC,
        owner="booking",
        partitions=6,
        retention_ms=None,
        compacted=False,
        restricted=False,
        key="primary practitioner id",
        description="Holds and appointments through their life (ids, times, status; no PII).",
        event_types=_types(appointments.PAYLOADS),
    ),
    TopicSpec(
        name=availability.TOPIC,
        owner="schedules",
        partitions=6,
        retention_ms=None,
        compacted=False,
        restricted=False,
        key="practitioner id; location id for clinic hours and holidays",
        description="Weekly templates, clinic hours, exceptions, leave, holidays, blocks.",
        event_types=_types(availability.PAYLOADS),
    ),
    TopicSpec(
        name=calendar_sync.TOPIC,
        owner="calendar-sync",
        partitions=6,
        retention_ms=30 * _DAY_MS,
        compacted=False,
        restricted=False,
        key="practitioner id",
        description="External busy times and appointments changed in external calendars.",
        event_types=_types(calendar_sync.PAYLOADS),
    ),
    TopicSpec(
        name=notifications.TOPIC,
        owner="notifications",
        partitions=3,
        retention_ms=30 * _DAY_MS,
        compacted=False,
        restricted=False,
        key="recipient id",
        description="Outcome of every notification delivery.",
        event_types=_types(notifications.PAYLOADS),
    ),
)
