"""`python -m clinic_demo seed` (the demo clinic) and `token` (development tokens for its roles)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence

from clinic_demo.api import Api, ApiError, Endpoints, Unreachable
from clinic_demo.catalog import NotSeeded, find_ids
from clinic_demo.clinic import DEMO
from clinic_demo.report import DemoIds
from clinic_demo.seed import DEFAULT_WAIT_S, seed
from clinic_demo.tokens import TOKEN_TTL, Refused, demo_token, development_settings, needs_ids

DEFAULT_GATEWAY = os.environ.get("CLINIC_GATEWAY_URL", "http://127.0.0.1:8080")
ROLES = [r.role for r in DEMO.roles]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "seed":
            seed(_endpoints(args), wait_s=args.wait)
        elif args.env:
            print(_exports(_endpoints(args), args.role or "patient"))
        else:
            _print_tokens(_endpoints(args), args.role)
    except Refused as exc:
        print(f"clinic_demo: refused: {exc}", file=sys.stderr)
        return 2
    except (ApiError, Unreachable, NotSeeded, TimeoutError, LookupError) as exc:
        print(f"clinic_demo: {type(exc).__name__}: {exc}", file=sys.stderr)
        if isinstance(exc, Unreachable | NotSeeded):
            print(
                "clinic_demo: is the platform up? `make up` starts it and seeds the demo clinic",
                file=sys.stderr,
            )
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m clinic_demo", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    seeding = commands.add_parser("seed", help="seed the demo clinic (idempotent)")
    seeding.add_argument(
        "--wait",
        type=float,
        default=DEFAULT_WAIT_S,
        help="seconds to wait for schedules to learn the catalog",
    )
    token = commands.add_parser("token", help="development tokens for the demo's roles")
    token.add_argument("--role", choices=ROLES, help="print only this role's bare token")
    token.add_argument(
        "--env",
        action="store_true",
        help="print shell exports: TOKEN (of --role, default patient) and demo ids",
    )
    for command in (seeding, token):
        command.add_argument(
            "--gateway", default=DEFAULT_GATEWAY, help="the gateway's URL (default %(default)s)"
        )
        command.add_argument("--booking-url", help="booking directly, instead of the gateway")
        command.add_argument("--schedules-url", help="schedules directly, instead of the gateway")
    return parser


def _endpoints(args: argparse.Namespace) -> Endpoints:
    if args.booking_url and args.schedules_url:
        return Endpoints.direct(args.booking_url, args.schedules_url)
    return Endpoints.via_gateway(args.gateway)


def _ids(endpoints: Endpoints) -> DemoIds:
    settings = development_settings()
    with Api(endpoints, demo_token(DEMO, "admin", settings)) as admin:
        return find_ids(admin, DEMO)


def _print_tokens(endpoints: Endpoints, only: str | None) -> None:
    settings = development_settings()
    wanted = [DEMO.role(only)] if only else list(DEMO.roles)
    ids = _ids(endpoints) if any(needs_ids(r) for r in wanted) else None
    if only:
        print(demo_token(DEMO, only, settings, ids))
        return
    hours = int(TOKEN_TTL.total_seconds() // 3600)
    print(f"# Development tokens of the demo clinic, tenant {DEMO.tenant_id}; valid {hours} h.")
    print(
        '# Use: curl -H "Authorization: Bearer <token>" …  (make token ROLE=<role>: one bare token)'
    )
    for person in wanted:
        names = ""
        if ids and person.practitioner:
            names = f", practitioner_id {ids.practitioners[person.practitioner]}"
        if ids and person.patient:
            names = f", patient_id {ids.patients[person.patient]}"
        print(f"\n# {person.role}: {person.who} (subject {person.subject}{names})")
        print(demo_token(DEMO, person.role, settings, ids))


def _exports(endpoints: Endpoints, role: str) -> str:
    ids = _ids(endpoints)
    token = demo_token(DEMO, role, development_settings(), ids)
    person = DEMO.role(role)
    values = {
        "GATEWAY": endpoints.booking.removesuffix("/api/v1/booking"),
        "TENANT_ID": str(DEMO.tenant_id),
        "TOKEN": token,
        "LOCATION_ID": str(ids.location_id),
        **{f"{key.upper()}_ID": str(value) for key, value in ids.practitioners.items()},
        **{f"{slug.replace('-', '_').upper()}_ID": str(v) for slug, v in ids.types.items()},
        **{f"{key.upper()}_ID": str(value) for key, value in ids.patients.items()},
    }
    if person.patient:
        values["PATIENT_ID"] = str(ids.patients[person.patient])
    lines = [f"# TOKEN: {role} ({person.who}), tenant {DEMO.tenant_id}"]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in values.items()]
    return "\n".join(lines)
