"""A small client of the platform's public HTTP API, as any frontend would call it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

Json = dict[str, Any]
Params = Mapping[str, str | int | bool]
_TIMEOUT_S = 10.0


class ApiError(Exception):
    """The API answered otherwise than the demo needs: the request and the answer, verbatim."""

    def __init__(self, method: str, url: str, status: int, body: str) -> None:
        super().__init__(f"{method} {url} -> {status}: {body[:2000]}")
        self.status = status
        self.body = body

    @property
    def code(self) -> str | None:
        """The problem document's `code`, when the body is one."""
        try:
            document = httpx.Response(self.status, content=self.body).json()
        except ValueError:
            return None
        code = document.get("code") if isinstance(document, dict) else None
        return code if isinstance(code, str) else None


class Unreachable(Exception):
    """Nothing answers at the API's address."""


@dataclass(frozen=True)
class Endpoints:
    """Where booking's and schedules' APIs are: behind the gateway, or each service directly."""

    booking: str
    schedules: str

    @classmethod
    def via_gateway(cls, gateway: str) -> Endpoints:
        base = gateway.rstrip("/")
        return cls(f"{base}/api/v1/booking", f"{base}/api/v1/schedules")

    @classmethod
    def direct(cls, booking: str, schedules: str) -> Endpoints:
        return cls(
            f"{booking.rstrip('/')}/api/v1/booking", f"{schedules.rstrip('/')}/api/v1/schedules"
        )


class Api:
    """Calls as one token's holder; `booking(...)` and `schedules(...)` name the service."""

    def __init__(self, endpoints: Endpoints, token: str) -> None:
        self.endpoints = endpoints
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {token}"}, timeout=_TIMEOUT_S
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        method: str,
        url: str,
        *,
        params: Params | None = None,
        body: Json | None = None,
        headers: Mapping[str, str] | None = None,
        expect: tuple[int, ...] = (200, 201),
    ) -> httpx.Response:
        """One request; `ApiError` unless the status is one of `expect`."""
        try:
            response = self._client.request(method, url, params=params, json=body, headers=headers)
        except httpx.TransportError as exc:
            raise Unreachable(f"{method} {url}: {exc!r}") from exc
        if response.status_code not in expect:
            raise ApiError(method, str(response.url), response.status_code, response.text)
        return response

    def get(self, url: str, **params: str | int | bool) -> Json:
        answer: Json = self.call("GET", url, params=params).json()
        return answer

    def post(self, url: str, body: Json, headers: Mapping[str, str] | None = None) -> Json:
        answer: Json = self.call("POST", url, body=body, headers=headers).json()
        return answer

    def put(self, url: str, body: Json) -> Json:
        answer: Json = self.call("PUT", url, body=body).json()
        return answer

    def list_all(self, url: str, **params: str | int | bool) -> list[Json]:
        """Every item of a cursor-paged list."""
        items: list[Json] = []
        cursor: str | None = None
        while True:
            page = self.get(url, **params, limit=200, **({"cursor": cursor} if cursor else {}))
            items.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return items

    def booking(self, path: str) -> str:
        return f"{self.endpoints.booking}{path}"

    def schedules(self, path: str) -> str:
        return f"{self.endpoints.schedules}{path}"
