"""The CloudEvents 1.0 envelope, carried as Kafka headers (binary content mode)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Literal
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, ValidationError, field_validator

from clinic_contracts.errors import InvalidEnvelope
from clinic_contracts.primitives import ContractModel, UtcDatetime

HeaderValue = bytes | str
Headers = Sequence[tuple[str, HeaderValue]] | Mapping[str, HeaderValue]

_TRACEPARENT = re.compile(
    r"^(?!ff)[0-9a-f]{2}-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$"
)
# header name -> attribute; optional attributes are left out when None. The trace context goes
# out twice: as the CloudEvents distributed-tracing extension (`ce_traceparent`, what CloudEvents
# SDKs read) and as the bare W3C Trace Context header (what Kafka tracing middleware reads).
# Reading, the first header declared for an attribute wins: the extension is the event's own,
# while middleware may rewrite the bare header in transit; messages written before the extension
# was added carry only the bare one.
HEADER_ATTRIBUTES: dict[str, str] = {
    "ce_id": "id",
    "ce_source": "source",
    "ce_type": "type",
    "ce_time": "time",
    "ce_subject": "subject",
    "ce_specversion": "specversion",
    "ce_tenantid": "tenantid",
    "ce_traceparent": "traceparent",
    "traceparent": "traceparent",
    "content-type": "datacontenttype",
}
REQUIRED_HEADERS = ("ce_id", "ce_source", "ce_type", "ce_time", "ce_specversion", "ce_tenantid")


class CloudEvent(ContractModel):
    """CloudEvents context attributes of one message; the payload travels as the body."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default_factory=lambda: str(uuid4()), min_length=1, description="Unique id.")
    source: str = Field(min_length=1, description="Producer as a URI reference: /clinic/booking.")
    type: str = Field(min_length=1, description="Event type, e.g. clinic.booking.….booked.v1.")
    time: UtcDatetime = Field(description="When the change happened, UTC.")
    subject: str | None = Field(default=None, description="Entity the event is about, if any.")
    specversion: Literal["1.0"] = Field(default="1.0", description="CloudEvents version.")
    tenantid: UUID = Field(description="Tenant (clinic) the event belongs to.")
    traceparent: str | None = Field(default=None, description="W3C trace context parent.")
    datacontenttype: Literal["application/json"] = Field(
        default="application/json", description="Media type of the body."
    )

    @field_validator("traceparent")
    @classmethod
    def _w3c(cls, value: str | None) -> str | None:
        if value is not None and not _TRACEPARENT.match(value):
            raise ValueError("traceparent must be W3C: 00-<32 hex>-<16 hex>-<2 hex>, ids non-zero")
        return value

    def to_headers(self) -> list[tuple[str, bytes]]:
        """Kafka headers in binary content mode; optional attributes only when set."""
        values = {**self.model_dump(exclude_none=True), "time": self.time.isoformat()}
        return [
            (header, str(values[attr]).encode())
            for header, attr in HEADER_ATTRIBUTES.items()
            if attr in values
        ]

    @classmethod
    def from_headers(cls, headers: Headers) -> CloudEvent:
        """Read the envelope from Kafka headers; raises ``InvalidEnvelope`` naming the header."""
        found = _decode(headers)
        missing = [name for name in REQUIRED_HEADERS if name not in found]
        if missing:
            raise InvalidEnvelope(f"missing CloudEvents header(s): {', '.join(missing)}")
        read_from: dict[str, str] = {}  # attribute -> the header it was read from
        for name, attr in HEADER_ATTRIBUTES.items():
            if name in found:
                read_from.setdefault(attr, name)
        try:
            return cls.model_validate({attr: found[name] for attr, name in read_from.items()})
        except ValidationError as error:
            raise InvalidEnvelope(_describe(error, read_from)) from error


def _decode(headers: Headers) -> dict[str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found: dict[str, str] = {}
    for name, raw in pairs:
        key = name.lower()
        if key not in HEADER_ATTRIBUTES:
            continue  # other headers (e.g. a DLQ reason) are not ours to judge
        if key in found:
            raise InvalidEnvelope(f"header {key} appears more than once")
        try:
            found[key] = raw.decode() if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as error:
            raise InvalidEnvelope(f"header {key} is not valid UTF-8") from error
    return found


def _describe(error: ValidationError, read_from: Mapping[str, str]) -> str:
    problems = [
        f"{read_from.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']}" for e in error.errors()
    ]
    return "invalid CloudEvents header(s): " + "; ".join(problems)
