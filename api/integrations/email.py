"""The one email sender.

``send_email`` writes a ``models.EmailOutbox`` row in the caller's transaction: an email exists
exactly when the change that caused it is committed. In development the message is also logged,
so links (verification, password reset) can be followed without a mail server.

``deliver_pending`` hands pending rows to the SMTP server named by the ``SMTP_*`` settings, with
retries: attempt n of a message waits ``retry_base_s * (2^n - 1)`` seconds after it was queued,
and after ``max_attempts`` failures it is marked failed. Rows are claimed with ``FOR UPDATE SKIP
LOCKED``, so several workers never send the same message; a crash between the SMTP answer and
the commit can send a message twice (at-least-once), never lose it.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings, EmailSettings
from models import EmailOutbox
from models.enums import EmailStatus

if TYPE_CHECKING:
    from api.state import AppState

log = structlog.get_logger("tabashir.email")

MAX_ERROR_CHARS = 1000


async def send_email(
    session: AsyncSession,
    settings: ApiSettings,
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str | None = None,
    template: str | None = None,
) -> EmailOutbox:
    """Queue an email in the caller's transaction (and log it in development)."""
    row = EmailOutbox(
        to_address=to,
        subject=subject[:300],
        body_text=body_text,
        body_html=body_html,
        template=template,
    )
    session.add(row)
    await session.flush()
    if settings.env == "development":
        # Development only: the body carries single-use links a developer needs to follow.
        log.info("email queued", to=to, subject=subject, template=template, body=body_text)
    else:
        log.info("email queued", email_id=str(row.id), template=template)
    return row


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def _message(settings: EmailSettings, row: EmailOutbox) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.sender
    msg["To"] = row.to_address
    msg["Subject"] = row.subject
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["Message-ID"] = make_msgid(idstring=row.id.hex)
    msg.set_content(row.body_text)
    if row.body_html:
        msg.add_alternative(row.body_html, subtype="html")
    return msg


def _send_batch(settings: EmailSettings, messages: list[EmailMessage]) -> list[str | None]:
    """Send over one SMTP connection; per message, None or the error. Runs in a thread."""
    host = settings.smtp_server or ""
    timeout = settings.smtp_timeout_s
    errors: list[str | None] = []
    client: smtplib.SMTP
    try:
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(
                host, settings.smtp_port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(host, settings.smtp_port, timeout=timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_username and settings.smtp_password:
                client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            for msg in messages:
                try:
                    client.send_message(msg)
                    errors.append(None)
                except smtplib.SMTPException as exc:
                    errors.append(f"{type(exc).__name__}: {exc}")
    except (OSError, smtplib.SMTPException) as exc:
        # Connection, TLS or login failed: every message not yet tried failed with it.
        error = f"{type(exc).__name__}: {exc}"
        errors.extend([error] * (len(messages) - len(errors)))
    return errors


async def deliver_pending(
    session: AsyncSession,
    settings: EmailSettings,
    *,
    limit: int = 50,
    now: datetime | None = None,
) -> DeliveryReport:
    """Send the due pending emails; the caller commits (the worker, once per batch)."""
    if not settings.enabled:
        return DeliveryReport()
    now = now or datetime.now(UTC)
    backoff = timedelta(seconds=settings.retry_base_s) * (func.power(2, EmailOutbox.attempts) - 1)
    rows = list(
        (
            await session.execute(
                select(EmailOutbox)
                .where(
                    EmailOutbox.status == EmailStatus.PENDING,
                    EmailOutbox.created_at + backoff <= now,
                )
                .order_by(EmailOutbox.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )
    if not rows:
        return DeliveryReport()
    messages = [_message(settings, row) for row in rows]
    errors = await asyncio.to_thread(_send_batch, settings, messages)
    sent = retrying = failed = 0
    for row, error in zip(rows, errors, strict=True):
        row.attempts += 1
        if error is None:
            row.status = EmailStatus.SENT
            row.sent_at = now
            row.last_error = None
            sent += 1
            continue
        row.last_error = error[:MAX_ERROR_CHARS]
        if row.attempts >= settings.max_attempts:
            row.status = EmailStatus.FAILED
            failed += 1
            log.warning("email failed for good", email_id=str(row.id), error=row.last_error)
        else:
            retrying += 1
            log.info("email will be retried", email_id=str(row.id), attempts=row.attempts)
    await session.flush()
    return DeliveryReport(sent=sent, retrying=retrying, failed=failed)


async def deliver_email_task(
    session: AsyncSession, state: AppState, payload: dict[str, Any]
) -> dict[str, Any]:
    """Worker handler: deliver one batch of the outbox."""
    report = await deliver_pending(
        session, state.settings.email, limit=int(payload.get("limit", 50))
    )
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}
