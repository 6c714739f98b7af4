"""`python -m clinic_platform.gateway serve|render`: the verifier, or nginx's configuration.

serve                                   the token verifier (GATEWAY_* settings)
render TEMPLATE_DIR OUT_DIR [--upstreams FILE]
                                        nginx.conf for nginx -p OUT_DIR -c OUT_DIR/nginx.conf
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from clinic_platform.gateway.nginx import render_gateway
from clinic_platform.gateway.settings import NginxSettings, VerifierSettings
from clinic_platform.gateway.verifier import create_verifier_app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m clinic_platform.gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="serve the token verifier nginx's auth_request asks")
    render = sub.add_parser("render", help="render nginx.conf from the template directory")
    render.add_argument("template_dir", type=Path, help="deploy/gateway")
    render.add_argument("out_dir", type=Path, help="where nginx.conf and its includes go")
    render.add_argument(
        "--upstreams", type=Path, help="default: upstreams.conf in the template directory"
    )
    args = parser.parse_args(argv)
    if args.command == "render":
        upstreams = args.upstreams or args.template_dir / "upstreams.conf"
        print(render_gateway(args.template_dir, args.out_dir, upstreams, NginxSettings()))
        return
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
