"""Rebuilding event-fed tables: replay their topics from the start, in one transaction.

The transaction locks the inbox, then the rebuilt tables, deletes their rows and the group's inbox
rows of the replayed types, applies every record up to the end offsets seen once the locks are
held, checks that the handlers wrote nowhere else, and commits. Readers see the old rows until
the commit; the live consumer waits, then skips what the rebuilt inbox already holds.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import delete, table, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from clinic_contracts import CONSUMER_GROUPS, payload_class
from clinic_platform.inbox.delivery import (
    INFRASTRUCTURE_ERRORS,
    EventHandler,
    Outcome,
    Poison,
    ReceivedEvent,
    Record,
    decode,
    record_in_inbox,
)
from clinic_platform.settings import ServiceSettings
from clinic_platform.store.platform_tables import inbox
from clinic_platform.store.sessions import (
    SYSTEM_SETTING,
    TENANT_SETTING,
    Sessions,
    create_engine,
    create_sessions,
    set_local,
)

log = logging.getLogger(__name__)

SKIPPED = "skipped"  # poison: an invalid record or a failing handler; counted, never fatal
COLUMNS: tuple[str, ...] = (Outcome.APPLIED, Outcome.DUPLICATE, Outcome.IGNORED, SKIPPED)
LOCK_NOT_AVAILABLE = "55P03"


class ReplayError(RuntimeError):
    """The rebuild could not finish; its transaction rolled back, so nothing changed."""


@dataclass(frozen=True)
class Projection:
    """Tables derived only from events, and the handlers (which never publish) that write them."""

    handlers: Mapping[str, EventHandler]
    tables: Sequence[str]

    def __post_init__(self) -> None:
        if not self.handlers or not self.tables:
            raise ValueError("a projection needs at least one handler and one table")


@dataclass
class ReplaySummary:
    """What one rebuild did: outcomes per topic, and how long it took."""

    per_topic: dict[str, Counter[str]]
    elapsed_s: float = 0.0
    tenant_id: UUID | None = None  # None: every tenant

    def total(self, outcome: str) -> int:
        """How many records had `outcome`, over every topic."""
        return sum(counts[outcome] for counts in self.per_topic.values())

    def render(self) -> str:
        """A few lines for the log and the terminal."""

        def line(counts: Mapping[str, int]) -> str:
            return ", ".join(f"{counts.get(column, 0)} {column}" for column in COLUMNS)

        totals = {column: self.total(column) for column in COLUMNS}
        scope = f" tenant {self.tenant_id}" if self.tenant_id else ""
        lines = [f"rebuilt{scope} in {self.elapsed_s:.2f} s: {line(totals)}"]
        lines += [f"  {topic}: {line(self.per_topic[topic])}" for topic in sorted(self.per_topic)]
        return "\n".join(lines)


def declared_topics(
    group_id: str,
    handlers: Mapping[str, EventHandler],
    declared: Mapping[str, Sequence[str]] = CONSUMER_GROUPS,
) -> list[str]:
    """The topics of the handled types; each must be one the group declares in the contracts."""
    topics = sorted({payload_class(event_type).topic for event_type in handlers})
    undeclared = sorted(set(topics) - set(declared.get(group_id, ())))
    if undeclared:
        raise ReplayError(
            f"consumer group {group_id!r} handles {undeclared}, which "
            "clinic_contracts.CONSUMER_GROUPS does not declare for it"
        )
    return topics


async def rebuild_service(
    settings: ServiceSettings, projection: Projection, tenant_id: UUID | None = None
) -> ReplaySummary:
    """Rebuild a service's projection (every tenant's, or one's) from its group's topics."""
    topics = declared_topics(settings.service_name, projection.handlers)
    engine = create_engine(settings.database_url, pool_size=1, max_overflow=0)
    try:
        sessions = create_sessions(engine)
        return await rebuild(
            sessions,
            settings.kafka_servers,
            group_id=settings.service_name,
            projection=projection,
            topics=topics,
            tenant_id=tenant_id,
        )
    finally:
        await engine.dispose()


async def rebuild(
    sessions: Sessions,
    bootstrap_servers: list[str],
    *,
    group_id: str,
    projection: Projection,
    topics: Sequence[str],
    tenant_id: UUID | None = None,
    lock_timeout_s: float = 30.0,
    idle_timeout_s: float = 30.0,
    batch_size: int = 500,
) -> ReplaySummary:
    """Empty `projection.tables` and refill them from `topics`, atomically; see the module doc.

    With `tenant_id`, only that tenant's rows are rebuilt and other tenants' records are ignored.
    """
    started = time.monotonic()
    summary = ReplaySummary({topic: Counter() for topic in topics}, tenant_id=tenant_id)
    # The broker first: an unreachable one fails the rebuild before anything is locked.
    reader = await _TopicsToEnd.open(bootstrap_servers, topics, f"{group_id}-rebuild")
    try:
        async with sessions() as session, session.begin():
            await _reset(session, group_id, projection, tenant_id, lock_timeout_s)
            # Ends are taken only now, under the locks: whatever the live consumer committed
            # lies before them, and whatever comes after them it applies once we commit.
            await reader.mark_ends()
            replayer = _Replayer(session, group_id, projection.handlers, tenant_id)
            async for records in reader.batches(batch_size, idle_timeout_s):
                summary.per_topic[records[0].topic].update(await replayer.apply(records))
            await _refuse_stray_writes(session, projection.tables)
    finally:
        await reader.close()
    summary.elapsed_s = time.monotonic() - started
    return summary


async def _reset(
    session: AsyncSession,
    group_id: str,
    projection: Projection,
    tenant_id: UUID | None,
    lock_timeout_s: float,
) -> None:
    quote = session.get_bind().dialect.identifier_preparer.quote
    tables = ", ".join(quote(name) for name in projection.tables)
    await set_local(session, "lock_timeout", f"{int(lock_timeout_s * 1000)}ms")
    try:
        # The live consumer writes the inbox, then the tables: same order here, so no deadlock.
        # EXCLUSIVE (not TRUNCATE's ACCESS EXCLUSIVE) stops writers but lets readers read on.
        await session.execute(text(f"LOCK TABLE {inbox.name} IN EXCLUSIVE MODE"))
        await session.execute(text(f"LOCK TABLE {tables} IN EXCLUSIVE MODE"))
    except OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise ReplayError(
            f"{tables} stayed locked by another transaction for {lock_timeout_s}s"
        ) from exc
    await set_local(session, "lock_timeout", "0")
    # Row-level security confines the deletes to the one tenant, or lets them cross every one.
    await set_local(
        session, *((TENANT_SETTING, str(tenant_id)) if tenant_id else (SYSTEM_SETTING, "on"))
    )
    for name in projection.tables:
        await session.execute(delete(table(name)))
    await session.execute(
        delete(inbox).where(
            inbox.c.consumer_group == group_id, inbox.c.event_type.in_(list(projection.handlers))
        )
    )
    if tenant_id is None:
        await set_local(session, SYSTEM_SETTING, "")  # handlers run in their event's tenant only


async def _refuse_stray_writes(session: AsyncSession, tables: Sequence[str]) -> None:
    # A handler that publishes (the outbox) or feeds a table left out of the projection would
    # make the replay send events again or apply them twice: refuse, and roll everything back.
    stray = await session.scalars(
        text(
            "SELECT relname FROM pg_stat_xact_user_tables"
            " WHERE n_tup_ins + n_tup_upd + n_tup_del > 0 AND NOT relname = ANY(:allowed)"
            " ORDER BY relname"
        ),
        {"allowed": [*tables, inbox.name]},
    )
    if written := list(stray):
        raise ReplayError(f"the replayed handlers wrote to {written}, outside the rebuilt tables")


class _Replayer:
    """Applies records as the live consumer does (decode, inbox, handler) in one transaction."""

    def __init__(
        self,
        session: AsyncSession,
        group_id: str,
        handlers: Mapping[str, EventHandler],
        only: UUID | None,
    ) -> None:
        self._session = session
        self._group_id = group_id
        self._handlers = handlers
        self._only = only
        self._tenant: UUID | None = None  # the tenant context currently set

    async def apply(self, records: Sequence[Record]) -> Counter[str]:
        """Apply one partition's batch in order; count each record's outcome."""
        counts: Counter[str] = Counter()
        events: list[ReceivedEvent] = []
        for record in records:
            if self._only is not None and _tenant_of(record) != self._only:
                counts[Outcome.IGNORED] += 1
                continue
            try:
                event = decode(record, self._handlers)
            except Poison as poison:
                counts[self._skip(record, poison.reason)] += 1
                continue
            if event is None:
                counts[Outcome.IGNORED] += 1
            else:
                events.append(event)
        # Tenants never see each other's rows (RLS), so grouping by tenant keeps every order that
        # matters (each tenant's own; the sort is stable) and sets each tenant's context once.
        events.sort(key=lambda event: event.envelope.tenantid)
        try:
            async with self._session.begin_nested():  # one savepoint per batch: the fast path
                outcomes = [await self._apply(event) for event in events]
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception:
            self._tenant = None  # the rollback undid the tenant setting too
            outcomes = [await self._apply_alone(event) for event in events]
        counts.update(outcomes)
        return counts

    async def _apply_alone(self, event: ReceivedEvent) -> str:
        try:
            async with self._session.begin_nested():
                return await self._apply(event)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception as exc:
            self._tenant = None
            return self._skip(event, f"handler failed: {exc!r}"[:500])

    async def _apply(self, event: ReceivedEvent) -> str:
        tenant = event.envelope.tenantid
        if tenant != self._tenant:
            await set_local(self._session, TENANT_SETTING, str(tenant))
            self._tenant = tenant
        if not await record_in_inbox(self._session, self._group_id, event):
            return Outcome.DUPLICATE
        await self._handlers[event.envelope.type](self._session, event)
        return Outcome.APPLIED

    @staticmethod
    def _skip(where: Record | ReceivedEvent, reason: str) -> str:
        log.warning("skipped %s[%d]@%d: %s", where.topic, where.partition, where.offset, reason)
        return SKIPPED


def _tenant_of(record: Record) -> UUID | None:
    """The tenant a record's `ce_tenantid` header names, without decoding the rest."""
    value = dict(record.headers).get("ce_tenantid")
    try:
        return UUID(value.decode()) if value is not None else None
    except ValueError:
        return None


class _TopicsToEnd:
    """A consumer without a group, assigned every partition, reading from the start to an end."""

    def __init__(self, consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> None:
        self._consumer = consumer
        self._partitions = partitions
        self._ends: dict[TopicPartition, int] = {}

    @classmethod
    async def open(cls, servers: list[str], topics: Sequence[str], client_id: str) -> _TopicsToEnd:
        admin = AIOKafkaAdminClient(bootstrap_servers=servers, client_id=client_id)
        try:
            await admin.start()
            described = await admin.describe_topics(list(topics))
        finally:
            await admin.close()
        missing = sorted(d["topic"] for d in described if d["error_code"] != 0)
        if missing:
            raise ReplayError(f"topics {missing} do not exist (are they provisioned?)")
        partitions = sorted(
            TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]
        )
        consumer = AIOKafkaConsumer(
            bootstrap_servers=servers,
            client_id=client_id,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",  # as the live consumer reads
        )
        try:
            await consumer.start()
        except BaseException:
            await consumer.stop()
            raise
        return cls(consumer, partitions)

    async def mark_ends(self) -> None:
        """Take each partition's end now and start reading from its beginning."""
        ends = await self._consumer.end_offsets(self._partitions)
        starts = await self._consumer.beginning_offsets(self._partitions)
        self._ends = {tp: ends[tp] for tp in self._partitions if ends[tp] > starts[tp]}
        if self._ends:
            self._consumer.assign(list(self._ends))
        for tp in self._ends:
            self._consumer.seek(tp, starts[tp])

    async def batches(self, size: int, idle_timeout_s: float) -> AsyncIterator[list[Record]]:
        """One partition's records at a time, until every partition reached its end."""
        last_progress = time.monotonic()
        while self._ends:
            fetched = await self._consumer.getmany(*self._ends, timeout_ms=500, max_records=size)
            for tp, records in fetched.items():
                end = self._ends.get(tp, -1)
                if within := [r for r in records if r.offset < end]:
                    yield within
                    last_progress = time.monotonic()
            for tp, end in list(self._ends.items()):
                if await self._consumer.position(tp) >= end:
                    del self._ends[tp]
                    self._consumer.pause(tp)
            if self._ends and time.monotonic() - last_progress > idle_timeout_s:
                raise ReplayError(f"no records for {idle_timeout_s}s before the ends {self._ends}")

    async def close(self) -> None:
        """Leave the broker."""
        await self._consumer.stop()
