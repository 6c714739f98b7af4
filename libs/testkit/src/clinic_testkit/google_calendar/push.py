"""Push notifications: watch channels and the deliveries to their web hook addresses.

Google POSTs an empty body with ``X-Goog-*`` headers: first ``sync`` when a channel is made,
then ``exists`` for each change of the watched calendar's events, numbering each channel's
messages upward. It retries a delivery the receiver answered with 500, 502, 503 or 504
(exponential backoff). Here one thread delivers every channel's messages in order.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

import httpx

USER_AGENT = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"
_RETRIED = frozenset({500, 502, 503, 504})


@dataclass
class Channel:
    """A watch channel on one calendar's events."""

    id: str
    resource_id: str
    resource_uri: str
    token: str | None
    address: str
    expiration: datetime
    calendar_id: str
    user: str
    message_number: int = 0
    stopped: bool = False

    def expiration_ms(self) -> str:
        return str(int(self.expiration.timestamp() * 1000))

    def resource(self) -> dict[str, str]:
        out = {
            "kind": "api#channel",
            "id": self.id,
            "resourceId": self.resource_id,
            "resourceUri": self.resource_uri,
            "expiration": self.expiration_ms(),
        }
        if self.token is not None:
            out["token"] = self.token
        return out

    def headers(self, state: str) -> dict[str, str]:
        self.message_number += 1
        headers = {
            "X-Goog-Channel-ID": self.id,
            "X-Goog-Channel-Expiration": format_datetime(self.expiration, usegmt=True),
            "X-Goog-Resource-ID": self.resource_id,
            "X-Goog-Resource-URI": self.resource_uri,
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(self.message_number),
            "User-Agent": USER_AGENT,
        }
        if self.token is not None:
            headers["X-Goog-Channel-Token"] = self.token
        return headers


@dataclass(frozen=True)
class Push:
    """One notification: delivered (``status`` the receiver answered), failed, or dropped."""

    channel_id: str
    message_number: int
    resource_state: str
    address: str
    headers: dict[str, str]
    status: int | None
    error: str | None
    dropped: bool
    attempts: int


class PushDelivery:
    """The thread that POSTs notifications, in the order they were made."""

    def __init__(self, *, retries: int = 2, backoff_s: float = 0.1, timeout_s: float = 5.0) -> None:
        self.retries = retries
        self.backoff_s = backoff_s
        self._queue: queue.Queue[tuple[str, str, dict[str, str]] | None] = queue.Queue()
        self._done = threading.Condition()
        self._pushes: list[Push] = []
        self._pending = 0
        self._client = httpx.Client(timeout=timeout_s)
        self._thread = threading.Thread(target=self._run, name="google-double-push", daemon=True)
        self._thread.start()

    @property
    def pushes(self) -> list[Push]:
        with self._done:
            return list(self._pushes)

    def send(self, channel_id: str, address: str, headers: dict[str, str]) -> None:
        with self._done:
            self._pending += 1
        self._queue.put((channel_id, address, headers))

    def drop(self, channel_id: str, address: str, headers: dict[str, str]) -> None:
        self._record(_push(channel_id, address, headers, None, "dropped by the test", True, 0))

    def wait(self, count: int, timeout_s: float) -> list[Push]:
        """Wait until ``count`` notifications were delivered, failed or dropped in all."""
        deadline = time.monotonic() + timeout_s
        with self._done:
            while len(self._pushes) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(
                        f"{len(self._pushes)} of {count} push notifications after {timeout_s}s: "
                        f"{self._pushes}"
                    )
                self._done.wait(left)
            return list(self._pushes)

    def idle(self, timeout_s: float) -> None:
        """Wait until every notification made so far has been delivered or given up."""
        deadline = time.monotonic() + timeout_s
        with self._done:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self._pending} push notifications still undelivered")
                self._done.wait(left)

    def clear(self) -> None:
        with self._done:
            self._pushes.clear()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=10)
        self._client.close()

    def _record(self, push: Push, *, sent: bool = False) -> None:
        with self._done:
            self._pushes.append(push)
            if sent:
                self._pending -= 1
            self._done.notify_all()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            channel_id, address, headers = item
            status: int | None = None
            error: str | None = None
            attempts = 0
            while True:
                attempts += 1
                try:
                    response = self._client.post(address, headers=headers, content=b"")
                    status, error = response.status_code, None
                except httpx.HTTPError as exc:
                    status, error = None, f"{type(exc).__name__}: {exc}"
                retry = status is None or status in _RETRIED
                if not retry or attempts > self.retries:
                    break
                time.sleep(self.backoff_s * 2 ** (attempts - 1))
            self._record(
                _push(channel_id, address, headers, status, error, False, attempts), sent=True
            )


def _push(
    channel_id: str,
    address: str,
    headers: dict[str, str],
    status: int | None,
    error: str | None,
    dropped: bool,
    attempts: int,
) -> Push:
    return Push(
        channel_id=channel_id,
        message_number=int(headers["X-Goog-Message-Number"]),
        resource_state=headers["X-Goog-Resource-State"],
        address=address,
        headers=headers,
        status=status,
        error=error,
        dropped=dropped,
        attempts=attempts,
    )
