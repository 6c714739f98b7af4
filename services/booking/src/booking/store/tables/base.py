"""The booking database's metadata and the columns every tenant-owned table carries."""

from sqlalchemy import Column, DateTime, MetaData, Uuid, func

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def tenant_column() -> Column[object]:
    """`tenant_id`: row-level security admits only the transaction's tenant."""
    return Column("tenant_id", Uuid, nullable=False)


def timestamps() -> list[Column[object]]:
    """`created_at` and `updated_at`, set by the database."""
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    ]
