"""The base every event payload derives from."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict
from pydantic.config import JsonDict

from clinic_contracts.primitives import ContractModel


class EventPayload(ContractModel):
    """The JSON body of one event: frozen, and ignoring unknown fields when parsed.

    Subclasses name their CloudEvents ``event_type``, their Kafka ``topic`` and the field whose
    value is the message key (``key_field``), so ordering per key is declared next to the data.
    """

    event_type: ClassVar[str]
    topic: ClassVar[str]
    key_field: ClassVar[str]

    def message_key(self) -> str:
        """The Kafka message key: the string form of the ``key_field`` value."""
        return str(getattr(self, self.key_field))

    @classmethod
    def examples(cls) -> list[dict[str, object]]:
        """The JSON examples declared in the model's ``json_schema_extra``."""
        extra = cls.model_config.get("json_schema_extra")
        found = extra.get("examples", []) if isinstance(extra, dict) else []
        return [dict(e) for e in found if isinstance(e, dict)] if isinstance(found, list) else []


def with_examples(*examples: JsonDict) -> ConfigDict:
    """Model config adding JSON examples (valid payloads) to the schema; tests replay them."""
    return ConfigDict(json_schema_extra={"examples": list(examples)})
