"""The SMTP catcher writes each mail decoded: subjects and text readable in any language."""

# ruff: noqa: RUF001  (full-width punctuation is correct in Traditional Chinese text)

from __future__ import annotations

import asyncio
import io
import smtplib
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from clinic_demo.mailcatcher import MailLog
from clinic_testkit.infrastructure import free_ports


def test_a_mail_is_logged_with_its_subject_decoded_its_text_and_kept_as_received(
    tmp_path: Path,
) -> None:
    out = io.StringIO()
    [port] = free_ports(1)
    controller = Controller(MailLog(tmp_path / "raw", out), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        message = EmailMessage()
        message["From"] = "Clinic <no-reply@clinic.invalid>"
        message["To"] = "meiling.chen@example.org"
        message["Subject"] = "預約已收到：12月4日 上午10:00"
        message.set_content("陳美玲 您好，\n\n我們已收到您的預約。")
        message.add_alternative("<p>我們已收到您的預約。</p>", subtype="html")
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.send_message(message)
    finally:
        controller.stop()
    logged = out.getvalue()
    assert "to meiling.chen@example.org" in logged
    assert "Subject: 預約已收到：12月4日 上午10:00" in logged
    assert "我們已收到您的預約。" in logged
    assert "<p>" not in logged  # the plain-text part, not the HTML one
    [kept] = (tmp_path / "raw").iterdir()
    assert f"(as received: {kept})" in logged
    assert kept.read_bytes().startswith(b"From: Clinic")


def test_after_a_restart_mails_are_numbered_on_from_those_kept(tmp_path: Path) -> None:
    (tmp_path / "20261203T000000-0001.eml").write_bytes(b"Subject: earlier\n\nhi\n")
    out = io.StringIO()
    envelope = Envelope()
    envelope.content = b"Subject: later\n\nhello\n"
    envelope.rcpt_tos = ["a@example.org"]
    asyncio.run(MailLog(tmp_path, out).handle_DATA(None, None, envelope))  # type: ignore[arg-type]
    assert out.getvalue().startswith("=" * 78 + "\nmail 2 · received")
    assert len(list(tmp_path.glob("*.eml"))) == 2
