"""Does every value a producer's schema allows still fit what a consumer reads?

The comparison runs on JSON Schemas (as Pydantic writes them), so the same code judges the
current models and the committed snapshots. It answers a narrower question than ``compat``:
only the fields a consumer reads count, and it is stricter there: a field that became optional
or nullable, or an enum that gained a value the consumer does not handle, misfits.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import TypeAdapter, ValidationError

from clinic_contracts.consumers.declaration import FieldTypes
from clinic_contracts.schema import JsonSchema

# Keywords that restrict a value; a schema without any of them accepts everything.
_RESTRICTING = ("type", "enum", "const", "format", "properties", "items", "anyOf", "oneOf")


@dataclass(frozen=True, slots=True)
class Misfit:
    """One field (``intervals[].start`` for nested ones) and how it no longer fits."""

    path: str
    problem: str


def expected_schema(fields: FieldTypes) -> JsonSchema:
    """The object a consumer reads: each field's type; required unless the type admits None."""
    properties: JsonSchema = {}
    defs: JsonSchema = {}
    required: list[str] = []
    for name, field_type in fields.items():
        adapter: TypeAdapter[object] = TypeAdapter(field_type)
        schema = adapter.json_schema()
        defs |= schema.pop("$defs", {})
        properties[name] = schema
        if not _admits_none(adapter):
            required.append(name)
    return {"type": "object", "properties": properties, "required": required, "$defs": defs}


def misfits(produced: JsonSchema, expected: JsonSchema) -> list[Misfit]:
    """Every way in which values valid under ``produced`` may not fit ``expected``."""
    return _Fit(produced.get("$defs", {}), expected.get("$defs", {})).check(produced, expected, "")


def _admits_none(adapter: TypeAdapter[object]) -> bool:
    try:
        adapter.validate_python(None)
    except ValidationError:
        return False
    return True


class _Fit:
    def __init__(self, produced_defs: JsonSchema, expected_defs: JsonSchema) -> None:
        self._produced_defs, self._expected_defs = produced_defs, expected_defs

    def check(self, produced: JsonSchema, expected: JsonSchema, path: str) -> list[Misfit]:
        produced = _resolve(produced, self._produced_defs)
        expected = _resolve(expected, self._expected_defs)
        produced_branches = _branches(produced)
        if len(produced_branches) > 1:  # every value of every branch must fit
            return [m for b in produced_branches for m in self.check(b, expected, path)]
        expected_branches = _branches(expected)
        if len(expected_branches) > 1:  # fitting one of the reader's branches is enough
            attempts = [self.check(produced, b, path) for b in expected_branches]
            return [] if any(not a for a in attempts) else min(attempts, key=len)
        return self._one(produced, expected, path)

    def _one(self, produced: JsonSchema, expected: JsonSchema, path: str) -> list[Misfit]:
        if not any(key in expected for key in _RESTRICTING):
            return []
        if problem := _scalar_problem(produced, expected):
            return [Misfit(path, problem)]
        found: list[Misfit] = []
        if "items" in expected:
            if "items" in produced:
                found += self.check(produced["items"], expected["items"], f"{path}[]")
            else:
                found.append(Misfit(path, "its items are no longer described"))
        if "properties" in expected:
            found += self._object(produced, expected, path)
        return found

    def _object(self, produced: JsonSchema, expected: JsonSchema, path: str) -> list[Misfit]:
        found: list[Misfit] = []
        properties, required = produced.get("properties", {}), set(produced.get("required", []))
        for name, wanted in expected["properties"].items():
            where = f"{path}.{name}" if path else name
            if name not in properties:
                found.append(Misfit(where, "is not in the payload"))
                continue
            needed = name in expected.get("required", [])
            if needed and not _always_there(properties[name], name in required):
                found.append(Misfit(where, "is no longer required: a message may leave it out"))
            found += self.check(properties[name], wanted, where)
        return found


def _resolve(schema: JsonSchema, defs: JsonSchema) -> JsonSchema:
    while "$ref" in schema:
        name = str(schema["$ref"]).rsplit("/", 1)[-1]
        if name not in defs:
            raise ValueError(f"unresolvable reference {schema['$ref']}")
        beside = {key: value for key, value in schema.items() if key != "$ref"}
        schema = {**defs[name], **beside}
    return schema


def _branches(schema: JsonSchema) -> list[JsonSchema]:
    branches = schema.get("anyOf") or schema.get("oneOf")
    return list(branches) if isinstance(branches, list) else [schema]


def _always_there(schema: JsonSchema, required: bool) -> bool:
    # A field with a non-null default is filled in by the model when a message leaves it out.
    return required or schema.get("default") is not None


def _scalar_problem(produced: JsonSchema, expected: JsonSchema) -> str | None:
    wanted, given = _types(expected), _types(produced)
    if wanted and not given:
        return f"may be any JSON value; read as {_words(wanted)}"
    if wanted and not given <= wanted | ({"integer"} if "number" in wanted else set()):
        if given == {"null"}:
            return f"may be null; read as {_words(wanted)}"
        return f"is {_words(given)}; read as {_words(wanted)}"
    if "format" in expected and produced.get("format") != expected["format"]:
        return f"has format {produced.get('format', 'none')}; read as {expected['format']}"
    handled = _values(expected)
    if handled is None:
        return None
    possible = _values(produced)
    if possible is None:
        return f"may hold any value; read as one of {handled}"
    if unhandled := [value for value in possible if value not in handled]:
        return f"may be {unhandled}, which the consumer does not handle (it handles {handled})"
    return None


def _types(schema: JsonSchema) -> set[str]:
    declared = schema.get("type", [])
    return {declared} if isinstance(declared, str) else set(declared)


def _values(schema: JsonSchema) -> list[object] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _words(types: set[str]) -> str:
    return " or ".join(sorted(types))
