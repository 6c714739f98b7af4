"""`python -m clinic_platform.gateway serve`: the token verifier (GATEWAY_* settings)."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence

import uvicorn

from clinic_platform.gateway.settings import VerifierSettings
from clinic_platform.gateway.verifier import create_verifier_app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clinic_platform.gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the token verifier nginx's auth_request asks")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = VerifierSettings()
    uvicorn.run(
        create_verifier_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        access_log=False,  # nginx logs every request; the verifier logs only what goes wrong
        log_config=None,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
