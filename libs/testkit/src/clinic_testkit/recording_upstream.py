"""A stand-in for the services behind the gateway: it records every request it is sent.

One server in a background thread, listening on one port per service name. Over HTTP it
answers 200 with `{"service", "path"}` (after `?sleep=<seconds>` if asked, to provoke a
gateway timeout); over WebSocket it echoes each text message as `<service>:<message>`.
Tests read `requests` to see what reached an upstream, and that nothing did.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs

import uvicorn
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the upstream saw it (header names in lower case)."""

    service: str
    kind: str  # "http" or "websocket"
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class RecordingUpstream:
    """Fake services on free ports that remember what reached them."""

    def __init__(self, services: Iterable[str]) -> None:
        self._sockets = {name: _listening_socket() for name in services}
        self.ports = {name: sock.getsockname()[1] for name, sock in self._sockets.items()}
        self._names = {port: name for name, port in self.ports.items()}
        self.requests: list[RecordedRequest] = []
        config = uvicorn.Config(
            self._app,
            interface="asgi3",
            log_level="warning",
            lifespan="off",
            access_log=False,
            proxy_headers=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": list(self._sockets.values())}, daemon=True
        )

    def address(self, service: str) -> str:
        """`127.0.0.1:<port>` of a service, as an nginx upstream names it."""
        return f"127.0.0.1:{self.ports[service]}"

    def start(self, timeout_s: float = 10) -> RecordingUpstream:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the recording upstream did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def seen(self, *, path_contains: str = "") -> list[RecordedRequest]:
        """Requests received so far whose path contains `path_contains`."""
        return [r for r in self.requests if path_contains in r.path]

    async def _app(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = self._names.get(scope["server"][1], "?")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["type"] == "websocket":
            self._record(service, "websocket", "GET", scope, headers, b"")
            await _echo(service, receive, send)
            return
        body = await _read_body(receive)
        self._record(service, "http", scope["method"], scope, headers, body)
        sleep = parse_qs(scope["query_string"].decode()).get("sleep")
        if sleep:
            await asyncio.sleep(float(sleep[0]))
        payload = json.dumps({"service": service, "path": scope["path"]}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"x-upstream", service.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _record(
        self,
        service: str,
        kind: str,
        method: str,
        scope: Scope,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        raw_path = scope.get("raw_path") or scope["path"].encode()
        self.requests.append(
            RecordedRequest(
                service,
                kind,
                method,
                bytes(raw_path).decode("latin-1"),
                scope["query_string"].decode("latin-1"),
                headers,
                body,
            )
        )


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _echo(service: str, receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            text = message.get("text") or (message.get("bytes") or b"").decode()
            await send({"type": "websocket.send", "text": f"{service}:{text}"})
        else:  # websocket.disconnect
            return


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock
