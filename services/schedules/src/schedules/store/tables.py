"""Tables of this service's own database (the outbox and inbox come from the platform).

The replicas are fed by events (see `schedules.events`): the catalog from `booking.catalog.v1`,
occupied time from `booking.appointments.v1`, external busy times from
`calendar_sync.external.v1`. Every row carries `event_time`, the CloudEvent time of the last event
applied to it: an older event never overwrites a newer one (last writer wins by envelope time).
Catalog rows only ever learn `retired`; a retirement seen before any upsert leaves a tombstone
whose descriptive columns are NULL.
"""

from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Time,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, ExcludeConstraint
from sqlalchemy.sql.schema import SchemaItem

metadata = MetaData()


def _replica(name: str, key: str, *columns: SchemaItem) -> Table:
    """A tenant-owned replica keyed by `(tenant_id, key)`, stamped with its last event's time."""
    return Table(
        name,
        metadata,
        Column("tenant_id", Uuid, nullable=False),
        Column(key, Uuid, nullable=False),
        *columns,
        Column("event_time", DateTime(timezone=True), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        PrimaryKeyConstraint("tenant_id", key, name=f"pk_{name}"),
    )


locations = _replica(
    "locations",
    "id",
    Column("name", Text),
    Column("timezone", Text),  # IANA name
    Column("active", Boolean),
    Column("retired", Boolean, nullable=False, server_default=text("false")),
)

practitioners = _replica(
    "practitioners",
    "id",
    Column("display_name", Text),
    Column("status", Text),  # draft | active | inactive
    Column("location_ids", ARRAY(Uuid), nullable=False, server_default=text("'{}'")),
    Column("retired", Boolean, nullable=False, server_default=text("false")),
    Index("ix_practitioners_locations", "location_ids", postgresql_using="gin"),
)

appointment_types = _replica(
    "appointment_types",
    "id",
    Column("duration_minutes", Integer),
    Column("buffer_before_minutes", Integer),
    Column("buffer_after_minutes", Integer),
    Column("min_notice_minutes", Integer),
    Column("max_future_days", Integer),
    Column("active", Boolean),
    Column("retired", Boolean, nullable=False, server_default=text("false")),
    # Where the type can be booked at all: its room and equipment must be live at the location.
    Column("default_room_id", Uuid),
    Column("required_equipment_ids", ARRAY(Uuid), nullable=False, server_default=text("'{}'")),
)

# Rooms and equipment only as far as they decide where a type can be booked (their location and
# whether they are retired); their occupancy is booking's to decide.
rooms = _replica(
    "rooms",
    "id",
    Column("location_id", Uuid),
    Column("retired", Boolean, nullable=False, server_default=text("false")),
)

equipment = _replica(
    "equipment",
    "id",
    Column("location_id", Uuid),
    Column("retired", Boolean, nullable=False, server_default=text("false")),
)

# Holds (keyed by their hold id, kind 'hold') and appointments (kind 'appointment'). A row
# occupies its practitioners over [blocked_from, blocked_until) — the times widened by the
# buffers — while its status is pending or confirmed, or held and not yet expired. Other
# statuses (released, cancelled, declined, completed, no_show) are kept as history.
booked_intervals = _replica(
    "booked_intervals",
    "appointment_id",
    Column("kind", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("practitioner_ids", ARRAY(Uuid), nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("appointment_type_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("buffer_before_minutes", Integer, nullable=False),
    Column("buffer_after_minutes", Integer, nullable=False),
    Column("blocked_from", DateTime(timezone=True), nullable=False),
    Column("blocked_until", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True)),
    Column("outside_hours", Boolean, nullable=False, server_default=text("false")),
    CheckConstraint("kind IN ('hold', 'appointment')", name="ck_booked_intervals_kind"),
    CheckConstraint("end_at > start_at", name="ck_booked_intervals_ordered"),
)

# The last window replaced per calendar connection (its `event_time` orders replacements) …
busy_windows = _replica(
    "busy_windows",
    "connection_id",
    Column("practitioner_id", Uuid, nullable=False),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
)

# … and the busy intervals that connection reported, one row each.
busy_intervals = Table(
    "busy_intervals",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("connection_id", Uuid, nullable=False),
    Column("practitioner_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint(
        "tenant_id", "connection_id", "start_at", "end_at", name="pk_busy_intervals"
    ),
    CheckConstraint("end_at > start_at", name="ck_busy_intervals_ordered"),
)

# "Occupied time of practitioner P between t1 and t2": practitioner_ids @> {P} (GIN) and
# tstzrange(blocked_from, blocked_until) && [t1, t2) (GiST, tenant first; btree_gist is in 0001).
Index(
    "ix_booked_intervals_practitioners", booked_intervals.c.practitioner_ids, postgresql_using="gin"
)
Index(
    "ix_booked_intervals_blocked",
    booked_intervals.c.tenant_id,
    func.tstzrange(booked_intervals.c.blocked_from, booked_intervals.c.blocked_until),
    postgresql_using="gist",
)
# Under forced RLS only leakproof quals (uuid =, timestamptz <) can use an index; see 0005.
Index(
    "ix_booked_intervals_tenant_from", booked_intervals.c.tenant_id, booked_intervals.c.blocked_from
)
Index(
    "ix_busy_intervals_practitioner",
    busy_intervals.c.tenant_id,
    busy_intervals.c.practitioner_id,
    func.tstzrange(busy_intervals.c.start_at, busy_intervals.c.end_at),
    postgresql_using="gist",
)


# --- Rules this service owns (the API writes them; `schedules.availability.v1` announces them).
# Local times are wall-clock times of the location's zone; instants are UTC.


def _dates(name: str) -> Column[list[date]]:
    """Local dates an RRULE skips (exdates) or adds (rdates); empty unless the row recurs."""
    return Column(name, ARRAY(Date), nullable=False, server_default=text("'{}'"))


def _recurring(table: str) -> list[SchemaItem]:
    """Skipped and added dates of a recurring rule, at most 366 each (see migration 0006)."""
    return [
        _dates("exdates"),
        _dates("rdates"),
        CheckConstraint(
            "cardinality(exdates) <= 366 AND cardinality(rdates) <= 366 AND "
            "(rrule IS NOT NULL OR cardinality(exdates) + cardinality(rdates) = 0)",
            name=f"ck_{table}_dates",
        ),
    ]


def _owned(name: str, *columns: SchemaItem) -> Table:
    """A tenant-owned rules table keyed by `(tenant_id, id)` with who changed it last and when."""
    return Table(
        name,
        metadata,
        Column("tenant_id", Uuid, nullable=False),
        Column("id", Uuid, nullable=False),
        *columns,
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_by", Uuid),
        PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{name}"),
    )


# Opening hours of a location as one document: weekday intervals ([{weekday 0-6, start, end}]),
# date overrides ([{date, intervals: [{start, end}]}]) and closed dates.
clinic_hours = Table(
    "clinic_hours",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("weekly", JSONB, nullable=False),
    Column("date_overrides", JSONB, nullable=False),
    Column("closed_dates", ARRAY(Date), nullable=False, server_default=text("'{}'")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Uuid),
    PrimaryKeyConstraint("tenant_id", "location_id", name="pk_clinic_hours"),
)

holidays = Table(
    "holidays",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("on_date", Date, nullable=False),  # the first date when it recurs
    Column("name", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_by", Uuid),
    Column("rrule", Text),
    *_recurring("holidays"),
    PrimaryKeyConstraint("tenant_id", "location_id", "on_date", name="pk_holidays"),
)

# A practitioner's weekly template at a location for a range of dates; intervals as
# [{weekday 0-6, start, end, max_parallel_sessions}]. Ranges of one practitioner and location never
# overlap, so every date has at most one template there.
weekly_templates = _owned(
    "weekly_templates",
    Column("practitioner_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("effective_to", Date),  # inclusive; NULL = open-ended
    Column("intervals", JSONB, nullable=False),
    CheckConstraint(
        "effective_to IS NULL OR effective_to >= effective_from", name="ck_weekly_templates_range"
    ),
    ExcludeConstraint(
        ("tenant_id", "="),
        ("practitioner_id", "="),
        ("location_id", "="),
        (text("daterange(effective_from, effective_to, '[]')"), "&&"),
        name="ex_weekly_templates_overlap",
        using="gist",
    ),
)

exceptions = _owned(
    "exceptions",
    Column("practitioner_id", Uuid, nullable=False),
    Column("location_id", Uuid),  # NULL = every location of the practitioner
    Column("kind", Text, nullable=False),  # blocked | available
    Column("on_date", Date),
    Column("rrule", Text),
    Column("dtstart", Date),
    Column("start_time", Time),  # both NULL = all day
    Column("end_time", Time),
    Column("appointment_type_id", Uuid),
    Column("max_parallel_sessions", Integer, nullable=False, server_default=text("1")),
    Column("reason", Text),
    *_recurring("exceptions"),
    CheckConstraint("kind IN ('blocked', 'available')", name="ck_exceptions_kind"),
    CheckConstraint("(on_date IS NULL) <> (rrule IS NULL)", name="ck_exceptions_date_or_rrule"),
    CheckConstraint("(rrule IS NULL) = (dtstart IS NULL)", name="ck_exceptions_dtstart"),
    CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="ck_exceptions_times"),
    Index("ix_exceptions_practitioner", "tenant_id", "practitioner_id"),
)

leaves = _owned(
    "leaves",
    Column("practitioner_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),  # requested | approved | rejected | cancelled
    Column("reason", Text),
    Column("requested_by", Uuid),
    Column("decided_by", Uuid),
    Column("decided_at", DateTime(timezone=True)),
    CheckConstraint("end_at > start_at", name="ck_leaves_ordered"),
    CheckConstraint(
        "status IN ('requested', 'approved', 'rejected', 'cancelled')", name="ck_leaves_status"
    ),
    Index("ix_leaves_practitioner", "tenant_id", "practitioner_id", "start_at"),
)

# Forced blocks (admin) and emergency unavailability; lifting one keeps it as history. A recurring
# one is its first [start_at, end_at) repeated at the same local times in `timezone`.
forced_blocks = _owned(
    "forced_blocks",
    Column("practitioner_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),  # forced | emergency
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text),
    Column("lifted_at", DateTime(timezone=True)),
    Column("rrule", Text),
    Column("timezone", Text),
    *_recurring("forced_blocks"),
    CheckConstraint("end_at > start_at", name="ck_forced_blocks_ordered"),
    CheckConstraint("kind IN ('forced', 'emergency')", name="ck_forced_blocks_kind"),
    CheckConstraint("(rrule IS NULL) = (timezone IS NULL)", name="ck_forced_blocks_zone"),
    Index("ix_forced_blocks_practitioner", "tenant_id", "practitioner_id", "start_at"),
)

# Appointments a confirmed rule change left outside hours. The mark holds the times it judged:
# once the appointment moves, the mark no longer matches and stops flagging it.
outside_hours_marks = Table(
    "outside_hours_marks",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("appointment_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("cause", Text, nullable=False),
    Column("rule_id", Uuid),
    Column("marked_by", Uuid),
    Column("marked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("tenant_id", "appointment_id", name="pk_outside_hours_marks"),
)
