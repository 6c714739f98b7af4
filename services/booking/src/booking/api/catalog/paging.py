"""Cursor paging for list endpoints: `?limit=&cursor=` in, `{"items", "next_cursor"}` out.

The cursor is opaque to clients (base64 of the last item's creation time and id), so the
server may change how it pages without breaking them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Annotated, Generic, Protocol, TypeVar
from uuid import UUID

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from booking.api.text import Cursor
from booking.store.entities import After
from clinic_platform.errors import RuleViolation

T = TypeVar("T")
P = TypeVar("P", bound=BaseModel)


class Keyed(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def created_at(self) -> datetime: ...


K = TypeVar("K", bound=Keyed)


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `cursor` for the next (null: no more)."""

    items: list[T]
    next_cursor: str | None = Field(description="Opaque; null on the last page.")


class PageRequest(BaseModel):
    """Where a page starts and how long it is."""

    limit: int
    after: After | None


def encode_cursor(item: Keyed) -> str:
    raw = json.dumps([item.created_at.isoformat(), str(item.id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> After:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, entity_id = json.loads(raw)
        return datetime.fromisoformat(created_at), UUID(entity_id)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise RuleViolation(
            "The cursor is not one this API returned.", code="invalid_cursor", field="cursor"
        ) from exc


def page_request(
    limit: Annotated[int, Query(ge=1, le=200, description="Items per page.")] = 50,
    cursor: Annotated[
        Cursor | None, Query(description="`next_cursor` of the previous page.")
    ] = None,
) -> PageRequest:
    return PageRequest(limit=limit, after=decode_cursor(cursor) if cursor else None)


PageDep = Annotated[PageRequest, Depends(page_request)]


def to_page(items: Sequence[K], limit: int, public: Callable[[K], P]) -> Page[P]:
    """A page from up to `limit + 1` items (the extra one only says that more exist)."""
    shown = list(items[:limit])
    more = len(items) > limit
    return Page(
        items=[public(item) for item in shown],
        next_cursor=encode_cursor(shown[-1]) if more and shown else None,
    )
