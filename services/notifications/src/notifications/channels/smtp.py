"""Email over SMTP with aiosmtplib: text and autoescaped HTML alternatives, a stable Message-ID."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from notifications.channels.base import Outgoing, PermanentFailure, RetryableFailure
from notifications.config import Settings
from notifications.domain.model import Channel


class EmailSender:
    """Sends each message over its own SMTP session (connections are cheap next to retries)."""

    channel = Channel.EMAIL

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def build(self, message: Outgoing) -> EmailMessage:
        """The MIME message; its Message-ID is derived from the delivery, so a resend after a
        crash carries the same id and mail clients can tell it is the same message."""
        email = EmailMessage()
        email["From"] = self._settings.smtp_from
        email["To"] = message.address
        email["Subject"] = message.subject or ""
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = f"<{message.delivery_id}@notifications.clinic>"
        email["X-Clinic-Delivery-Id"] = str(message.delivery_id)
        email.set_content(message.text)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        email["Content-Language"] = message.language  # after the body: set_content drops it
        return email

    async def send(self, message: Outgoing) -> None:
        """Hand the message to the SMTP server; 5xx answers are permanent, the rest retryable."""
        s = self._settings
        try:
            await aiosmtplib.send(
                self.build(message),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                use_tls=s.smtp_tls,
                start_tls=s.smtp_starttls,
                timeout=s.provider_timeout_s,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"SMTP refused the recipient: {_codes(exc)}") from None
        except aiosmtplib.SMTPResponseException as exc:
            failure = PermanentFailure if 500 <= exc.code < 600 else RetryableFailure
            raise failure(f"SMTP {exc.code}: {exc.message[:200]}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise RetryableFailure(f"SMTP unavailable: {type(exc).__name__}") from None

    async def aclose(self) -> None:
        """Nothing held between messages."""


def _codes(exc: aiosmtplib.SMTPRecipientsRefused) -> str:
    return ", ".join(str(refusal.code) for refusal in exc.recipients) or "refused"
