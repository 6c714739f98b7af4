"""Tables of this service's own database (the outbox and inbox come from the platform).

Replicas (patients, locations, practitioners, appointment types, appointments) are fed by
events and stamped with `event_time`, the CloudEvent time of the last event applied: an older
event never overwrites a newer one. Erased patients and retired catalog entries stay as
tombstones (descriptive columns NULL) so a late, older upsert cannot bring them back.
The rest is this service's own state: settings, templates, reminders and the delivery log.
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.sql.schema import SchemaItem

from clinic_platform.store.platform_tables import platform_metadata

metadata = MetaData()


def _now(name: str) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=False, server_default=func.now())


def _replica(name: str, *columns: SchemaItem) -> Table:
    """A tenant-owned replica keyed by `(tenant_id, id)`, stamped with its last event's time."""
    return Table(
        name,
        metadata,
        Column("tenant_id", Uuid, nullable=False),
        Column("id", Uuid, nullable=False),
        *columns,
        Column("event_time", DateTime(timezone=True), nullable=False),
        _now("updated_at"),
        PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{name}"),
    )


def _retired() -> Column[object]:
    return Column("retired", Boolean, nullable=False, server_default=text("false"))


patients = _replica(
    "patients",
    Column("name", Text),
    Column("email", Text),
    Column("phone", Text),
    Column("line_user_id", Text),
    Column("preferred_language", Text),
    Column("preferred_channel", Text),
    Column("timezone", Text),
    Column("erased", Boolean, nullable=False, server_default=text("false")),
)
locations = _replica(
    "locations", Column("name", Text), Column("address", Text), Column("timezone", Text), _retired()
)
practitioners = _replica("practitioners", Column("display_name", Text), _retired())
appointment_types = _replica("appointment_types", Column("name", Text), _retired())
appointments = _replica(
    "appointments",
    Column("patient_id", Uuid, nullable=False),
    Column("practitioner_id", Uuid, nullable=False),
    Column("location_id", Uuid, nullable=False),
    Column("appointment_type_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("end_at", DateTime(timezone=True), nullable=False),
    Column("status", Text, nullable=False),
)

# One row per tenant; absent means the defaults.
tenant_settings = Table(
    "tenant_settings",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("staff_emails", ARRAY(Text), nullable=False, server_default=text("'{}'")),
    Column("staff_language", Text, nullable=False, server_default="en"),
    Column("rebook_url", Text),
    Column("fallback_channels", ARRAY(Text), nullable=False, server_default="{email,sms,line}"),
    Column("webhook_url", Text),
    Column("webhook_secret", Text),
    Column("reminder_offsets_minutes", ARRAY(Integer), nullable=False, server_default="{1440,120}"),
    _now("updated_at"),
)

practitioner_preferences = Table(
    "practitioner_preferences",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("practitioner_id", Uuid, nullable=False),
    Column("email", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("notify_booked", Boolean, nullable=False),
    Column("notify_cancelled", Boolean, nullable=False),
    _now("updated_at"),
    PrimaryKeyConstraint("tenant_id", "practitioner_id", name="pk_practitioner_preferences"),
)

templates = Table(
    "templates",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("language", Text, nullable=False),
    Column("subject", Text),
    Column("text", Text, nullable=False),
    Column("html", Text),
    _now("updated_at"),
    PrimaryKeyConstraint("tenant_id", "kind", "channel", "language", name="pk_templates"),
)

# The durable reminder plan of each appointment: one row per (start, offset), so a reminder
# for a moved appointment is a new row and the old one can never fire.
reminders = Table(
    "reminders",
    metadata,
    Column("tenant_id", Uuid, nullable=False),
    Column("appointment_id", Uuid, nullable=False),
    Column("start_at", DateTime(timezone=True), nullable=False),
    Column("offset_minutes", Integer, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("state", Text, nullable=False, server_default="scheduled"),
    _now("updated_at"),
    PrimaryKeyConstraint(
        "tenant_id", "appointment_id", "start_at", "offset_minutes", name="pk_reminders"
    ),
    CheckConstraint(
        "state IN ('scheduled', 'queued', 'withdrawn', 'missed')", name="ck_reminders_state"
    ),
    Index("ix_reminders_due", "due_at", postgresql_where=text("state = 'scheduled'")),
)

# The delivery log: one row per (triggering event, recipient); at most one channel each.
# `next_attempt_at` is when a pending row is due, and for a sending row the end of its
# sender's lease (after which any replica may retake it).
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("delivery_key", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("appointment_id", Uuid),
    Column("recipient_kind", Text, nullable=False),
    Column("recipient_id", Uuid, nullable=False),
    Column("recipient_address", Text),
    Column("kind", Text, nullable=False),
    Column("channel", Text),
    Column("language", Text),
    Column("context", JSONB, nullable=False),
    Column("state", Text, nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("resolve_by", DateTime(timezone=True), nullable=False),
    Column("not_after", DateTime(timezone=True)),
    Column("subject", Text),
    Column("body_text", Text),
    Column("body_html", Text),
    Column("last_error", Text),
    Column("resend_of", Uuid),
    Column("requested_by", Text),
    _now("created_at"),
    Column("sent_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    UniqueConstraint("tenant_id", "delivery_key", name="uq_deliveries_key"),
    CheckConstraint(
        "state IN ('pending', 'sending', 'sent', 'failed', 'withdrawn')", name="ck_deliveries_state"
    ),
    Index(
        "ix_deliveries_due",
        "next_attempt_at",
        postgresql_where=text("state IN ('pending', 'sending')"),
    ),
    Index("ix_deliveries_appointment", "tenant_id", "appointment_id"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("delivery_id", Uuid, nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("channel", Text, nullable=False),
    Column("outcome", Text, nullable=False),  # sent | retryable | permanent
    Column("detail", Text),
    _now("at"),
    Index("ix_delivery_attempts_delivery", "delivery_id", "attempt"),
)

TABLES = (
    "patients",
    "locations",
    "practitioners",
    "appointment_types",
    "appointments",
    "tenant_settings",
    "practitioner_preferences",
    "templates",
    "reminders",
    "deliveries",
    "delivery_attempts",
)
TARGET_METADATA = [metadata, platform_metadata]
