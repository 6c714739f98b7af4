"""The SMTP catcher of `make up`: every mail the platform sends, decoded and readable, in a log.

    python -m aiosmtpd -n -l 127.0.0.1:1025 -c clinic_demo.mailcatcher.MailLog [RAW_DIR]

Each message is printed (stdout: `make up` sends it to run/mail.log) with its headers decoded
and its plain-text part; with RAW_DIR, the message as received is kept there as an .eml file.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import TextIO

from aiosmtpd.smtp import SMTP, Envelope, Session

RULE = "=" * 78


class MailLog:
    """An aiosmtpd handler that accepts every message and writes it out readably."""

    def __init__(self, raw_dir: Path | None = None, out: TextIO = sys.stdout) -> None:
        self.raw_dir = raw_dir
        self.out = out
        self.count = 0  # numbered on from the mails kept before a restart
        if raw_dir is not None:
            raw_dir.mkdir(parents=True, exist_ok=True)
            self.count = sum(1 for _ in raw_dir.glob("*.eml"))

    @classmethod
    def from_cli(cls, parser: argparse.ArgumentParser, *args: str) -> MailLog:
        if len(args) > 1:
            parser.error("MailLog takes at most one argument: the folder for raw .eml files")
        return cls(Path(args[0]) if args else None)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content
        raw = content if isinstance(content, bytes) else (content or "").encode()
        self.count += 1
        self.out.write(self.render(raw, envelope.rcpt_tos, self.keep(raw)))
        self.out.flush()
        return "250 Message accepted for delivery"

    def keep(self, raw: bytes) -> Path | None:
        if self.raw_dir is None:
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.raw_dir / f"{stamp}-{self.count:04d}.eml"
        path.write_bytes(raw)
        return path

    def render(self, raw: bytes, recipients: list[str], kept: Path | None) -> str:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        lines = [f"{RULE}\nmail {self.count} · received {when} · to {', '.join(recipients)}"]
        for name in ("From", "To", "Subject", "Content-Language"):
            if message[name] is not None:
                lines.append(f"{name}: {message[name]}")
        body = message.get_body(preferencelist=("plain", "html"))
        lines.append("")
        lines.append(body.get_content().rstrip() if body is not None else "(no text part)")
        if kept is not None:
            lines.append(f"\n(as received: {kept})")
        return "\n".join(lines) + "\n"
