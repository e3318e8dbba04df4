"""The one email sender: outbox rows in the caller's transaction, and SMTP delivery with retries,
against a REAL SMTP server (aiosmtpd) started by the test on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from structlog.testing import capture_logs

from api.integrations.email import deliver_pending, send_email
from api.settings import ApiSettings, EmailSettings
from models import EmailOutbox
from models.enums import EmailStatus
from tests.fixtures.users import api_settings_for_tests

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Inbox:
    """aiosmtpd handler that keeps what it receives and refuses one address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[str] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address.startswith("refused@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == b"mailer@example.com"
            and auth_data.password == b"smtp-password"
        ):
            self.logins.append(auth_data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        # Plain SMTP on loopback in tests; production uses ssl/starttls (SMTP_SECURITY).
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_settings(port: int, **overrides: Any) -> EmailSettings:
    values: dict[str, Any] = {
        "smtp_server": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_username": "mailer@example.com",
        "smtp_password": "smtp-password",
        "email_from": "Tabashir <no-reply@example.com>",
        "smtp_timeout_s": 5,
        "max_attempts": 3,
        "retry_base_s": 60,
    }
    values.update(overrides)
    return EmailSettings(**values)


async def _queue(session: AsyncSession, settings: ApiSettings, to: str, **kw: Any) -> EmailOutbox:
    row = await send_email(
        session,
        settings,
        to=to,
        subject=kw.pop("subject", "Confirm your email | تأكيد البريد الإلكتروني"),
        body_text=kw.pop("body_text", "Hello\n\nمرحبًا بك في تباشير"),
        **kw,
    )
    await session.commit()
    return row


async def test_send_email_writes_the_outbox_in_the_callers_transaction(
    session: AsyncSession,
) -> None:
    settings = api_settings_for_tests()
    async with session.begin_nested() as nested:
        await send_email(session, settings, to="gone@example.com", subject="s", body_text="b")
        await nested.rollback()
    await send_email(session, settings, to="kept@example.com", subject="s", body_text="b")
    recipients = (await session.execute(select(EmailOutbox.to_address))).scalars().all()
    assert recipients == ["kept@example.com"]


async def test_development_logs_the_body_other_environments_do_not(session: AsyncSession) -> None:
    dev = ApiSettings(env="development", auth=api_settings_for_tests().auth)
    test = api_settings_for_tests()
    with capture_logs() as logs:
        await send_email(session, dev, to="a@example.com", subject="s", body_text="link=secret1")
        await send_email(session, test, to="b@example.com", subject="s", body_text="link=secret2")
    assert any(e.get("body") == "link=secret1" for e in logs)
    assert not any("secret2" in str(e) for e in logs)


async def test_pending_emails_are_delivered_over_smtp(
    session: AsyncSession, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    settings = api_settings_for_tests()
    first = await _queue(session, settings, "layla@example.com", body_html="<p>Hello</p>")
    await _queue(session, settings, "omar@example.org", subject="Reset your password")

    report = await deliver_pending(session, smtp_settings(port))
    await session.commit()
    assert (report.sent, report.retrying, report.failed) == (2, 0, 0)
    assert inbox.logins == ["mailer@example.com"]
    by_to = {m["To"]: m for m in inbox.messages}
    assert set(by_to) == {"layla@example.com", "omar@example.org"}
    message = by_to["layla@example.com"]
    assert message["From"] == "Tabashir <no-reply@example.com>"
    assert message["Subject"] == "Confirm your email | تأكيد البريد الإلكتروني"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert "مرحبًا بك في تباشير" in plain.get_content()
    assert html is not None
    assert "<p>Hello</p>" in html.get_content()
    await session.refresh(first)
    assert first.status == EmailStatus.SENT
    assert first.attempts == 1
    assert first.sent_at is not None

    again = await deliver_pending(session, smtp_settings(port))
    assert again.sent == 0
    assert len(inbox.messages) == 2


async def test_a_refused_recipient_is_retried_with_backoff_then_failed(
    session: AsyncSession, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    settings = api_settings_for_tests()
    refused = await _queue(session, settings, "refused@example.com")
    await _queue(session, settings, "fine@example.com")
    config = smtp_settings(port, max_attempts=2, retry_base_s=60)

    report = await deliver_pending(session, config)
    assert (report.sent, report.retrying, report.failed) == (1, 1, 0)
    await session.refresh(refused)
    assert refused.status == EmailStatus.PENDING
    assert refused.attempts == 1
    assert refused.last_error is not None
    assert "SMTPRecipientsRefused" in refused.last_error

    # Not due yet: the second attempt waits retry_base_s * (2^1 - 1) after it was queued.
    assert (await deliver_pending(session, config)).retrying == 0
    later = datetime.now(UTC) + timedelta(seconds=61)
    final = await deliver_pending(session, config, now=later)
    assert (final.sent, final.failed) == (0, 1)
    await session.refresh(refused)
    assert refused.status == EmailStatus.FAILED
    assert refused.attempts == 2
    assert [m["To"] for m in inbox.messages] == ["fine@example.com"]


async def test_an_unreachable_server_leaves_every_email_pending(session: AsyncSession) -> None:
    settings = api_settings_for_tests()
    row = await _queue(session, settings, "layla@example.com")
    report = await deliver_pending(session, smtp_settings(_free_port(), smtp_timeout_s=2))
    assert report.retrying == 1
    await session.refresh(row)
    assert row.status == EmailStatus.PENDING
    assert row.attempts == 1
    assert row.last_error is not None


async def test_without_smtp_settings_nothing_is_sent(session: AsyncSession) -> None:
    settings = api_settings_for_tests()
    row = await _queue(session, settings, "layla@example.com")
    report = await deliver_pending(session, EmailSettings(smtp_server=None))
    assert report.sent == report.retrying == report.failed == 0
    await session.refresh(row)
    assert row.attempts == 0


def test_security_follows_the_port_unless_set() -> None:
    assert EmailSettings(smtp_server="h", smtp_port=465).security == "ssl"
    assert EmailSettings(smtp_server="h", smtp_port=587).security == "starttls"
    assert EmailSettings(smtp_server="h", smtp_port=25, smtp_security="none").security == "none"
