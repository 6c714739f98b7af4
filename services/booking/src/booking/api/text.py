"""Text as booking's requests accept it: the domain's own rules (trimmed, sized) and then the
platform's edge rules (`clinic_contracts.edge`: no control characters, NUL included), so what one
service stores every other can store too.

Only requests are held to the edge rules; rows stored before them are still read and shown.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from booking.domain import catalog
from clinic_contracts.edge import Email, MultilineText, PlainText

# The domain's constraints first, then PlainText's check: surrounding blanks (a trailing
# newline too) are trimmed away, and what is left must be one line.
Name = Annotated[catalog.Name, *PlainText.__metadata__]
Specialty = Annotated[catalog.Specialty, *PlainText.__metadata__]

Address = Annotated[PlainText, Field(max_length=500)]
Bio = Annotated[MultilineText, Field(max_length=5000)]
LineUserId = Annotated[PlainText, Field(min_length=1, max_length=64)]
Reason = Annotated[PlainText, Field(max_length=500)]
Rrule = Annotated[PlainText, Field(min_length=6, max_length=500, examples=["FREQ=WEEKLY;COUNT=10"])]
Cursor = Annotated[PlainText, Field(max_length=200)]
IdempotencyKeyText = Annotated[PlainText, Field(max_length=200)]

__all__ = [
    "Address",
    "Bio",
    "Cursor",
    "Email",  # the platform's, re-exported so every text type of a request comes from here
    "IdempotencyKeyText",
    "LineUserId",
    "Name",
    "Reason",
    "Rrule",
    "Specialty",
]
