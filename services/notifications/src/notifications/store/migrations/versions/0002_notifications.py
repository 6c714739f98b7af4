"""Replicas, tenant settings, templates, reminders and the delivery log, with tenant RLS.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from clinic_platform.store.rls import disable_tenant_rls, enable_tenant_rls
from sqlalchemy.dialects import postgresql as pg

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "patients", "locations", "practitioners", "appointment_types", "appointments",
    "tenant_settings", "practitioner_preferences", "templates", "reminders", "deliveries",
    "delivery_attempts",
)


def _at(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _now(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False,
                     server_default=sa.func.now())


def _text(*names: str) -> list[sa.Column[object]]:
    return [sa.Column(name, sa.Text) for name in names]


def _flag(name: str) -> sa.Column[object]:
    return sa.Column(name, sa.Boolean, nullable=False, server_default=sa.text("false"))


def _replica(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("id", sa.Uuid, nullable=False),
        *columns,
        _at("event_time"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=f"pk_{name}"),
    )


def _replicas() -> None:
    _replica("patients", *_text("name", "email", "phone", "line_user_id", "preferred_language",
                                "preferred_channel", "timezone"), _flag("erased"))
    _replica("locations", *_text("name", "address", "timezone"), _flag("retired"))
    _replica("practitioners", *_text("display_name"), _flag("retired"))
    _replica("appointment_types", *_text("name"), _flag("retired"))
    _replica(
        "appointments",
        *[sa.Column(name, sa.Uuid, nullable=False) for name in
          ("patient_id", "practitioner_id", "location_id", "appointment_type_id")],
        _at("start_at"), _at("end_at"),
        sa.Column("status", sa.Text, nullable=False),
    )


def _settings() -> None:
    op.create_table(
        "tenant_settings",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("staff_emails", pg.ARRAY(sa.Text), nullable=False,
                  server_default=sa.text("'{}'")),
        sa.Column("staff_language", sa.Text, nullable=False, server_default="en"),
        *_text("rebook_url"),
        sa.Column("fallback_channels", pg.ARRAY(sa.Text), nullable=False,
                  server_default="{email,sms,line}"),
        *_text("webhook_url", "webhook_secret"),
        sa.Column("reminder_offsets_minutes", pg.ARRAY(sa.Integer), nullable=False,
                  server_default="{1440,120}"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", name="tenant_settings_pkey"),
    )
    op.create_table(
        "practitioner_preferences",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("practitioner_id", sa.Uuid, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("language", sa.Text, nullable=False),
        sa.Column("notify_booked", sa.Boolean, nullable=False),
        sa.Column("notify_cancelled", sa.Boolean, nullable=False),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", "practitioner_id",
                                name="pk_practitioner_preferences"),
    )
    op.create_table(
        "templates",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        *[sa.Column(name, sa.Text, nullable=False) for name in ("kind", "channel", "language")],
        sa.Column("subject", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("html", sa.Text),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", "kind", "channel", "language", name="pk_templates"),
    )


def _reminders() -> None:
    op.create_table(
        "reminders",
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("appointment_id", sa.Uuid, nullable=False),
        _at("start_at"),
        sa.Column("offset_minutes", sa.Integer, nullable=False),
        _at("due_at"),
        sa.Column("state", sa.Text, nullable=False, server_default="scheduled"),
        _now("updated_at"),
        sa.PrimaryKeyConstraint("tenant_id", "appointment_id", "start_at", "offset_minutes",
                                name="pk_reminders"),
        sa.CheckConstraint("state IN ('scheduled', 'queued', 'withdrawn', 'missed')",
                           name="ck_reminders_state"),
    )
    op.create_index("ix_reminders_due", "reminders", ["due_at"],
                    postgresql_where=sa.text("state = 'scheduled'"))


def _deliveries() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("delivery_key", sa.Text, nullable=False),
        sa.Column("event_id", sa.Text, nullable=False),
        sa.Column("appointment_id", sa.Uuid),
        sa.Column("recipient_kind", sa.Text, nullable=False),
        sa.Column("recipient_id", sa.Uuid, nullable=False),
        *_text("recipient_address"),
        sa.Column("kind", sa.Text, nullable=False),
        *_text("channel", "language"),
        sa.Column("context", pg.JSONB, nullable=False),
        sa.Column("state", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        _now("next_attempt_at"),
        _at("resolve_by"),
        _at("not_after", nullable=True),
        *_text("subject", "body_text", "body_html", "last_error"),
        sa.Column("resend_of", sa.Uuid),
        *_text("requested_by"),
        _now("created_at"),
        _at("sent_at", nullable=True),
        _at("failed_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="deliveries_pkey"),
        sa.UniqueConstraint("tenant_id", "delivery_key", name="uq_deliveries_key"),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'withdrawn')",
            name="ck_deliveries_state",
        ),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["next_attempt_at"],
                    postgresql_where=sa.text("state IN ('pending', 'sending')"))
    op.create_index("ix_deliveries_appointment", "deliveries", ["tenant_id", "appointment_id"])
    op.create_table(
        "delivery_attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(always=True), nullable=False),
        sa.Column("tenant_id", sa.Uuid, nullable=False),
        sa.Column("delivery_id", sa.Uuid, nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("channel", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        *_text("detail"),
        _now("at"),
        sa.PrimaryKeyConstraint("id", name="delivery_attempts_pkey"),
    )
    op.create_index("ix_delivery_attempts_delivery", "delivery_attempts",
                    ["delivery_id", "attempt"])


def upgrade() -> None:
    _replicas()
    _settings()
    _reminders()
    _deliveries()
    for table in TABLES:
        enable_tenant_rls(op, table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(op, table)
        op.drop_table(table)
