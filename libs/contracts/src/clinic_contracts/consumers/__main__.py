"""Check every installed consumer contract: ``python -m clinic_contracts.consumers``.

Exit status 1, with one line per broken reliance naming the consumer, the event type and the
field, when a producer's current models or the committed schemas no longer give a consumer
what it reads. ``make contracts-check`` (and so ``make test``) runs it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from clinic_contracts.consumers.check import check_all
from clinic_contracts.consumers.discovery import installed_contracts
from clinic_contracts.export import DEFAULT_SCHEMAS_DIR, load_committed
from clinic_contracts.schema import current_schemas


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m clinic_contracts.consumers")
    parser.add_argument("--schemas-dir", type=Path, default=DEFAULT_SCHEMAS_DIR)
    args = parser.parse_args(argv)
    contracts = installed_contracts()
    violations = check_all(contracts, current_schemas(), load_committed(args.schemas_dir))
    if violations:
        print("Consumer contracts broken:", file=sys.stderr)
        for violation in violations:
            print(f"  {violation}", file=sys.stderr)
        print(
            "Keep what consumers read, or publish a .v2 beside the .v1 until they have moved.",
            file=sys.stderr,
        )
        return 1
    for contract in contracts:
        fields = sum(len(r.fields) for r in contract.relies_on)
        types = _count(len(contract.relies_on), "event type")
        print(f"{contract.consumer}: {types}, {_count(fields, 'field')} relied on")
    print("consumer contracts hold against the current models and the committed schemas")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    raise SystemExit(main())
