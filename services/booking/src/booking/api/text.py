"""Text as booking's requests accept it: the domain's own rules (trimmed, sized) and then the
platform's edge rules (`clinic_contracts.edge`: no control characters, NUL included), so what one
service stores every other can store too.

Only requests are held to the edge rules; rows stored before them are still read and shown.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, TypeAdapter

from booking.domain import catalog
from clinic_contracts.edge import MultilineText, PlainText
from clinic_contracts.primitives import EmailAddress

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

# The e-mail pattern lets any non-blank character through, NUL included; the edge rule is checked
# on its own so that the documented pattern stays the e-mail one.
_ONE_LINE = TypeAdapter(PlainText)
Email = Annotated[EmailAddress, AfterValidator(_ONE_LINE.validate_python)]
