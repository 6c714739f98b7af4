"""Write (or ``--check``) the committed JSON Schemas and the AsyncAPI document.

python -m clinic_contracts.export [--check] [--allow-breaking] [--schemas-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from clinic_contracts.asyncapi import asyncapi_document
from clinic_contracts.compat import BreakingChange, compare_schema_sets
from clinic_contracts.schema import JsonSchema, current_schemas

DEFAULT_SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
ASYNCAPI_FILE = "asyncapi.json"


def render(document: JsonSchema) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    """File name -> content of everything the schemas directory should hold."""
    files = {f"{event_type}.json": render(s) for event_type, s in current_schemas().items()}
    files[ASYNCAPI_FILE] = render(asyncapi_document())
    return files


def load_committed(schemas_dir: Path) -> dict[str, JsonSchema]:
    """The committed payload schemas, by event type (the AsyncAPI document excluded)."""
    return {
        path.name.removesuffix(".json"): json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(schemas_dir.glob("*.json"))
        if path.name != ASYNCAPI_FILE
    }


def breaking_changes(schemas_dir: Path) -> list[BreakingChange]:
    """What the current models break relative to the committed schemas."""
    return compare_schema_sets(load_committed(schemas_dir), current_schemas())


def stale_files(schemas_dir: Path, expected: Mapping[str, str] | None = None) -> list[str]:
    """Files that are missing, different, or no longer generated (`expected`: as generated)."""
    expected = expected_files() if expected is None else expected
    present = {path.name for path in schemas_dir.glob("*.json")}
    stale = [
        name
        for name, text in expected.items()
        if name not in present or (schemas_dir / name).read_text(encoding="utf-8") != text
    ]
    return sorted(stale + sorted(present - expected.keys()))


def write(schemas_dir: Path) -> list[str]:
    """Write every expected file and delete files no longer generated; returns changed names."""
    schemas_dir.mkdir(parents=True, exist_ok=True)
    expected = expected_files()  # rendering every schema is the slow part: do it once
    changed = stale_files(schemas_dir, expected)
    for name in changed:
        if name in expected:
            (schemas_dir / name).write_text(expected[name], encoding="utf-8")
        else:
            (schemas_dir / name).unlink()
    return changed


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    schemas_dir: Path = args.schemas_dir
    breaking = breaking_changes(schemas_dir) if schemas_dir.is_dir() else []
    if breaking and not (args.allow_breaking and not args.check):
        _report("Breaking changes against the committed schemas", [str(c) for c in breaking])
        print("Publish a new .v2 event type instead of changing a .v1 one.", file=sys.stderr)
        return 1
    if args.check:
        stale = stale_files(schemas_dir) if schemas_dir.is_dir() else ["(no schemas directory)"]
        if stale:
            _report(f"Stale files in {schemas_dir}", stale)
            print("Run: uv run python -m clinic_contracts.export", file=sys.stderr)
            return 1
        print(f"{schemas_dir}: up to date")
        return 0
    changed = write(schemas_dir)
    print(f"{schemas_dir}: {len(changed)} file(s) written or removed")
    return 0


def _report(title: str, lines: list[str]) -> None:
    print(f"{title}:", file=sys.stderr)
    for line in lines:
        print(f"  {line}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m clinic_contracts.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if files are stale")
    parser.add_argument(
        "--allow-breaking",
        action="store_true",
        help="write despite breaking changes (only when retiring a type on purpose; "
        "a changed payload needs a new .v2 type instead)",
    )
    parser.add_argument("--schemas-dir", type=Path, default=DEFAULT_SCHEMAS_DIR)
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
