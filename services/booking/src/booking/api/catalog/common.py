"""What the catalog and patient routers share: permission gates and partial-update bodies."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from clinic_platform.auth import Permission, Principal, require

CatalogReader = require(Permission.CATALOG_READ)
CatalogWriter = Annotated[Principal, require(Permission.CATALOG_WRITE)]


class Patch(BaseModel):
    """A partial update: fields left out stay as they are; `null` only clears nullable ones."""

    model_config = ConfigDict(extra="forbid")
    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value: object, info: ValidationInfo) -> object:
        # Runs only for fields the client sent (defaults are not validated).
        if value is None and info.field_name not in cls.NULLABLE:
            raise PydanticCustomError("not_nullable", "may be left out, but not set to null")
        return value

    def changes(self) -> dict[str, object]:
        """Only what the client sent."""
        return self.model_dump(exclude_unset=True)


class Body(BaseModel):
    """A create body: unknown fields are refused, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid")
