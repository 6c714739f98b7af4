"""SMS and LINE push through their providers' HTTP APIs, and signed webhooks to integrations."""

from __future__ import annotations

import json
import time

import httpx

from notifications.channels.base import Outgoing, PermanentFailure, RetryableFailure
from notifications.domain.model import Channel
from notifications.domain.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign


class _HttpSender:
    channel: Channel

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def _post(self, url: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
        try:
            response = await self._client.post(url, content=content, headers=headers)
        except httpx.HTTPError as exc:  # timeouts, refused connections, protocol errors
            raise RetryableFailure(
                f"{self.channel} provider unreachable: {type(exc).__name__}"
            ) from None
        return response

    def _judge(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        detail = f"{self.channel} provider answered {response.status_code}"
        if response.status_code in (408, 425, 429) or response.status_code >= 500:
            raise RetryableFailure(detail)
        raise PermanentFailure(f"{detail}: {response.text[:200]}")

    async def aclose(self) -> None:
        await self._client.aclose()


class SmsSender(_HttpSender):
    """`POST {base}/messages {"to", "text"}` with the API key as a bearer token."""

    channel = Channel.SMS

    def __init__(self, base_url: str, api_key: str, timeout_s: float) -> None:
        super().__init__(
            httpx.AsyncClient(
                base_url=base_url,
                timeout=timeout_s,
                headers={"Authorization": f"Bearer {api_key}"},
            )
        )

    async def send(self, message: Outgoing) -> None:
        body = json.dumps({"to": message.address, "text": message.text}).encode()
        headers = {
            "Content-Type": "application/json",
            # The provider drops a second request with the same key (crash-safe resends).
            "Idempotency-Key": str(message.delivery_id),
        }
        self._judge(await self._post("/messages", body, headers))


class LineSender(_HttpSender):
    """LINE Messaging API push: `POST {base}/v2/bot/message/push` with a retry key."""

    channel = Channel.LINE

    def __init__(self, base_url: str, channel_token: str, timeout_s: float) -> None:
        super().__init__(
            httpx.AsyncClient(
                base_url=base_url,
                timeout=timeout_s,
                headers={"Authorization": f"Bearer {channel_token}"},
            )
        )

    async def send(self, message: Outgoing) -> None:
        body = {"to": message.address, "messages": [{"type": "text", "text": message.text[:5000]}]}
        headers = {
            "Content-Type": "application/json",
            "X-Line-Retry-Key": str(message.delivery_id),
        }
        response = await self._post("/v2/bot/message/push", json.dumps(body).encode(), headers)
        if response.status_code == 409 and "x-line-accepted-request-id" in response.headers:
            return  # LINE already accepted this retry key: sent once, by an earlier attempt
        self._judge(response)


class WebhookSender(_HttpSender):
    """POSTs the event JSON to the tenant's URL, signed with HMAC-SHA256 and timestamped."""

    channel = Channel.WEBHOOK

    def __init__(self, timeout_s: float) -> None:
        super().__init__(httpx.AsyncClient(timeout=timeout_s))

    async def send(self, message: Outgoing) -> None:
        if not message.secret:
            raise PermanentFailure("the tenant's webhook has no signing secret")
        body = message.text.encode()
        now = int(time.time())
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(message.secret, body, now),
            TIMESTAMP_HEADER: str(now),
            "X-Clinic-Delivery-Id": str(message.delivery_id),
            "X-Clinic-Event-Type": message.event_type or "",
        }
        self._judge(await self._post(message.address, body, headers))
