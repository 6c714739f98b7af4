"""`python -m clinic_deploy render|check|settings|verify` (run from anywhere in the repository).

render     write every file derived from deploy/services.toml (and delete orphans)
check      fail, listing them, when a derived file is stale
settings   the settings each service must be given by each target, derived from its class
verify     check every target: the required settings set, Kubernetes manifests valid against the
           Kubernetes schemas (kustomize + kubeconform), compose against the Compose
           Specification (tools from tools/deploy/install.sh)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from clinic_deploy.outputs import stale, write
from clinic_deploy.render import declared, find_root, outputs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m clinic_deploy", description=__doc__)
    parser.add_argument("command", choices=["render", "check", "settings", "verify"])
    args = parser.parse_args(argv)
    root = find_root()
    declaration = declared(root)
    if args.command == "render":
        for path in write(outputs(declaration), root):
            print(f"wrote {path}")
        return 0
    if args.command == "check":
        problems = stale(outputs(declaration), root)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run: uv run python -m clinic_deploy render", file=sys.stderr)
        return 1 if problems else 0
    from clinic_deploy import verify  # imports the services' settings classes

    if args.command == "settings":
        print(verify.describe(declaration))
        return 0
    return verify.main(root, declaration)


if __name__ == "__main__":
    sys.exit(main())
