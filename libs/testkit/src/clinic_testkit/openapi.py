"""The examples an OpenAPI document declares, so a test can post each and see it accepted."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """One declared example: where it sits (schema and property path) and its value."""

    schema: str
    path: tuple[str, ...]
    value: object

    @property
    def where(self) -> tuple[str, ...]:
        """The schema name followed by the property path, e.g. ("Preferences", "email")."""
        return (self.schema, *self.path)


def declared_examples(document: Mapping[str, Any]) -> list[Example]:
    """Every `example`/`examples` value under the document's component schemas and parameters."""
    found: list[Example] = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        found.extend(_walk(name, (), schema))
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path}"
                found.extend(_walk(where, (parameter["name"],), parameter))
    return found


def _walk(schema: str, path: tuple[str, ...], node: object) -> Iterator[Example]:
    if isinstance(node, list):
        for item in node:
            yield from _walk(schema, path, item)
        return
    if not isinstance(node, dict):
        return
    if "example" in node:
        yield Example(schema, path, node["example"])
    examples = node.get("examples")
    if isinstance(examples, list):
        yield from (Example(schema, path, value) for value in examples)
    elif isinstance(examples, dict):  # OpenAPI's named examples: {"name": {"value": ...}}
        yield from (Example(schema, path, item.get("value")) for item in examples.values())
    for key, child in node.items():
        if key == "properties" and isinstance(child, dict):
            for prop, sub in child.items():
                yield from _walk(schema, (*path, prop), sub)
        elif key in ("items", "anyOf", "oneOf", "allOf", "schema", "additionalProperties"):
            yield from _walk(schema, path, child)
