"""The development mailbox: a local SMTP catcher that the outbox is delivered to.

In development, with no ``SMTP_SERVER`` set, `tabashir up` starts :class:`DevMailbox` on a free
loopback port and points the in-process worker's email settings at it. Emails then take the same
path as in production (a row in ``email_outbox``, delivered by the worker over SMTP with retries)
and land as ``.eml`` files under ``TABASHIR_DATA_DIR/mailbox``, which the console's mailbox page
(``/console/mailbox``, development only) shows. Nothing here ever runs in production.
"""

from __future__ import annotations

import email
import logging
import socket
import time
import uuid
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger("tabashir.mailbox")

#: Messages the mailbox page lists at most (newest first).
MAX_LISTED = 200


def mailbox_dir() -> Path:
    """Where the development mailbox keeps messages: ``TABASHIR_DATA_DIR/mailbox``."""
    from models.settings import get_database_settings

    return get_database_settings().data_dir / "mailbox"


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class _SaveToFolder:
    """aiosmtpd handler: every accepted message becomes one .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        data = content if isinstance(content, bytes) else str(content).encode("utf-8")
        name = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}.eml"
        tmp = self.folder / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(self.folder / name)  # whole files only: the page never reads half a message
        return "250 Message accepted for delivery"


@dataclass(frozen=True)
class MailboxMessage:
    id: str
    to: str
    sender: str
    subject: str
    date: str
    text: str
    html: str | None


class DevMailbox:
    """An SMTP server on 127.0.0.1 (a thread of its own) that saves what it receives."""

    def __init__(self, folder: Path, host: str = "127.0.0.1") -> None:
        self.folder = folder
        self.host = host
        self.port = 0
        self._controller: Any = None

    def start(self) -> int:
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = _free_port(self.host)
        self._controller = Controller(
            _SaveToFolder(self.folder), hostname=self.host, port=self.port, ready_timeout=10
        )
        self._controller.start()
        log.info("development mailbox listening", host=self.host, port=self.port)
        return self.port

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def read_message(path: Path) -> MailboxMessage:
    msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(msg, EmailMessage)
    text_part = msg.get_body(preferencelist=("plain",))
    html_part = msg.get_body(preferencelist=("html",))
    return MailboxMessage(
        id=path.stem,
        to=str(msg.get("To", "")),
        sender=str(msg.get("From", "")),
        subject=str(msg.get("Subject", "")),
        date=str(msg.get("Date", "")),
        text=text_part.get_content() if text_part is not None else "",
        html=html_part.get_content() if html_part is not None else None,
    )


def list_messages(folder: Path, to: str | None = None) -> list[MailboxMessage]:
    """The newest messages first; ``to``: only those sent to that address."""
    if not folder.is_dir():
        return []
    out: list[MailboxMessage] = []
    for path in sorted(folder.glob("*.eml"), reverse=True):
        message = read_message(path)
        if to is None or to.lower() in message.to.lower():
            out.append(message)
        if len(out) >= MAX_LISTED:
            break
    return out


def find_message(folder: Path, message_id: str) -> MailboxMessage | None:
    if not message_id.replace("-", "").isalnum():
        return None
    path = folder / f"{message_id}.eml"
    return read_message(path) if path.is_file() else None
