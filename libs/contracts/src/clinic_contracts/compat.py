"""Backward-compatibility check of JSON Schemas, as a schema registry's BACKWARD mode makes it.

A new schema is backward compatible when a consumer using it can still read every message
written with the old one; removed or retyped fields and newly required fields break that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from clinic_contracts.schema import JsonSchema

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")


class ChangeKind(StrEnum):
    """What kind of incompatibility was found."""

    PROPERTY_REMOVED = "property_removed"
    TYPE_CHANGED = "type_changed"
    NEWLY_REQUIRED = "newly_required"
    CONSTRAINT_TIGHTENED = "constraint_tightened"
    EVENT_TYPE_REMOVED = "event_type_removed"


@dataclass(frozen=True, slots=True)
class BreakingChange:
    """One incompatibility, located by a JSON-pointer-like path into the old schema."""

    kind: ChangeKind
    path: str
    detail: str

    def __str__(self) -> str:
        return f"{self.path or '/'}: {self.kind}: {self.detail}"


def find_breaking_changes(old_schema: JsonSchema, new_schema: JsonSchema) -> list[BreakingChange]:
    """Every change in ``new_schema`` that stops it reading data valid under ``old_schema``."""
    changes = _compare(old_schema, new_schema, "")
    old_defs, new_defs = old_schema.get("$defs", {}), new_schema.get("$defs", {})
    for name in sorted(old_defs.keys() & new_defs.keys()):
        changes += _compare(old_defs[name], new_defs[name], f"/$defs/{name}")
    return changes


def compare_schema_sets(
    committed: Mapping[str, JsonSchema], current: Mapping[str, JsonSchema]
) -> list[BreakingChange]:
    """Breaking changes between two sets of schemas keyed by event type (removal included)."""
    changes: list[BreakingChange] = []
    for event_type in sorted(committed):
        if event_type not in current:
            detail = "event type no longer exists; keep it until consumers have moved"
            changes.append(BreakingChange(ChangeKind.EVENT_TYPE_REMOVED, event_type, detail))
            continue
        for change in find_breaking_changes(committed[event_type], current[event_type]):
            changes.append(BreakingChange(change.kind, event_type + change.path, change.detail))
    return changes


def _compare(old: JsonSchema, new: JsonSchema, path: str) -> list[BreakingChange]:
    old_branches, new_branches = _branches(old), _branches(new)
    if len(old_branches) > 1 or len(new_branches) > 1:
        return _compare_branches(old_branches, new_branches, path)
    if "$ref" in old or "$ref" in new:
        if old.get("$ref") == new.get("$ref"):
            return []  # the target itself is compared under /$defs
        detail = f"reference {old.get('$ref', 'inline')} became {new.get('$ref', 'inline')}"
        return [BreakingChange(ChangeKind.TYPE_CHANGED, path, detail)]
    changes = _compare_scalar(old, new, path)
    changes += _compare_object(old, new, path)
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        changes += _compare(old["items"], new["items"], f"{path}/items")
    return changes


def _branches(schema: JsonSchema) -> list[JsonSchema]:
    branches = schema.get("anyOf") or schema.get("oneOf")
    return list(branches) if isinstance(branches, list) else [schema]


def _compare_branches(
    old: list[JsonSchema], new: list[JsonSchema], path: str
) -> list[BreakingChange]:
    changes: list[BreakingChange] = []
    for index, branch in enumerate(old):
        attempts = [_compare(branch, candidate, path) for candidate in new]
        if any(not attempt for attempt in attempts):
            continue  # some new branch still accepts everything this one did
        same_place = attempts[index] if index < len(attempts) else min(attempts, key=len)
        changes += same_place
    return changes


def _types(schema: JsonSchema) -> set[str]:
    declared = schema.get("type", [])
    types = {declared} if isinstance(declared, str) else set(declared)
    return types | ({"number"} if "integer" in types else set())


def _compare_scalar(old: JsonSchema, new: JsonSchema, path: str) -> list[BreakingChange]:
    changes: list[BreakingChange] = []

    def report(kind: ChangeKind, detail: str) -> None:
        changes.append(BreakingChange(kind, path, detail))

    if "type" in new and not _types(old) <= _types(new):
        report(ChangeKind.TYPE_CHANGED, f"type {old.get('type')} became {new['type']}")
        return changes  # format, enum and bounds of another type say nothing more
    if new.get("format") is not None and old.get("format") != new.get("format"):
        report(ChangeKind.TYPE_CHANGED, f"format {old.get('format')} became {new['format']}")
    old_values, new_values = _enum(old), _enum(new)
    if new_values is not None:
        if removed := [v for v in (old_values or []) if v not in new_values]:
            report(ChangeKind.TYPE_CHANGED, f"enum values removed: {removed}")
        elif old_values is None:
            report(ChangeKind.TYPE_CHANGED, f"values restricted to {new_values}")
    if "pattern" in new and old.get("pattern") != new["pattern"]:
        report(ChangeKind.CONSTRAINT_TIGHTENED, f"pattern became {new['pattern']!r}")
    for key in _LOWER_BOUNDS + _UPPER_BOUNDS:
        if key in new and (key not in old or _tighter(key, old[key], new[key])):
            report(ChangeKind.CONSTRAINT_TIGHTENED, f"{key} {old.get(key)} became {new[key]}")
    return changes


def _enum(schema: JsonSchema) -> list[object] | None:
    if "const" in schema:
        return [schema["const"]]
    values = schema.get("enum")
    return list(values) if isinstance(values, list) else None


def _tighter(key: str, old: float, new: float) -> bool:
    return new > old if key in _LOWER_BOUNDS else new < old


def _compare_object(old: JsonSchema, new: JsonSchema, path: str) -> list[BreakingChange]:
    changes: list[BreakingChange] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        where = f"{path}/properties/{name}"
        if name not in new_props:
            changes.append(BreakingChange(ChangeKind.PROPERTY_REMOVED, where, "property removed"))
        else:
            changes += _compare(old_prop, new_props[name], where)
    for name in sorted(set(new.get("required", [])) - set(old.get("required", []))):
        where = f"{path}/properties/{name}"
        changes.append(BreakingChange(ChangeKind.NEWLY_REQUIRED, where, "property now required"))
    old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
    if isinstance(old_extra, dict) and isinstance(new_extra, dict):
        changes += _compare(old_extra, new_extra, f"{path}/additionalProperties")
    return changes
