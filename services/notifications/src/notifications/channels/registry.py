"""The senders a deployment offers, built from its settings."""

from __future__ import annotations

from notifications.channels.base import Sender, Senders
from notifications.channels.providers import LineSender, SmsSender, WebhookSender
from notifications.channels.smtp import EmailSender
from notifications.config import Settings
from notifications.domain.model import Channel


def build_senders(settings: Settings) -> Senders:
    """Email and webhooks always; SMS and LINE only when their provider is configured."""
    timeout = settings.provider_timeout_s
    senders: dict[Channel, Sender] = {
        Channel.EMAIL: EmailSender(settings),
        Channel.WEBHOOK: WebhookSender(timeout),
    }
    if settings.sms_base_url and settings.sms_api_key:
        senders[Channel.SMS] = SmsSender(
            settings.sms_base_url, settings.sms_api_key.get_secret_value(), timeout
        )
    if settings.line_base_url and settings.line_channel_token:
        senders[Channel.LINE] = LineSender(
            settings.line_base_url, settings.line_channel_token.get_secret_value(), timeout
        )
    return Senders(senders)
