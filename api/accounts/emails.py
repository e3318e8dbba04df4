"""The account emails, in English and Arabic, sent through the one sender (the outbox)."""

from __future__ import annotations

import html
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from api.integrations.email import send_email
from api.settings import ApiSettings


def _html(paragraphs: list[str], link: str | None = None, label: str = "") -> str:
    parts = [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    if link:
        parts.append(f'<p><a href="{html.escape(link, quote=True)}">{html.escape(label)}</a></p>')
    return "\n".join(parts)


async def _send(
    session: AsyncSession,
    settings: ApiSettings,
    *,
    to: str,
    template: str,
    subject: str,
    before: list[str],
    after: list[str],
    link: str | None = None,
    label: str = "",
) -> None:
    """One account email: ``before``, the link on its own, ``after`` (the HTML puts the link in
    a button at the end)."""
    text = [*before, *([link] if link else []), *after]
    await send_email(
        session,
        settings,
        to=to,
        subject=subject,
        body_text="\n\n".join(text),
        body_html=_html([*before, *after], link, label),
        template=template,
    )


async def send_verification(
    session: AsyncSession, settings: ApiSettings, *, to: str, token: str, hours: int
) -> None:
    await _send(
        session,
        settings,
        to=to,
        template="verify_email",
        subject="Confirm your email | تأكيد البريد الإلكتروني",
        before=["Welcome to Tabashir. Please confirm your email address to activate your account:"],
        link=f"{settings.public_url.rstrip('/')}/api/auth/verify-email?token={quote(token)}",
        label="Confirm my email",
        after=[
            f"The link works once and expires in {hours} hours.",
            "مرحبًا بك في تباشير. يرجى تأكيد بريدك الإلكتروني لتفعيل حسابك عبر الرابط أعلاه.",
        ],
    )


async def send_password_reset(
    session: AsyncSession, settings: ApiSettings, *, to: str, token: str, minutes: int
) -> None:
    await _send(
        session,
        settings,
        to=to,
        template="reset_password",
        subject="Reset your password | إعادة تعيين كلمة المرور",
        before=["Someone asked to reset the password of your Tabashir account. If it was you:"],
        link=f"{settings.web_app_url.rstrip('/')}/reset-password?token={quote(token)}",
        label="Choose a new password",
        after=[
            f"The link works once and expires in {minutes} minutes. "
            "If it was not you, ignore this email: your password stays as it is.",
            "لإعادة تعيين كلمة المرور استخدم الرابط أعلاه. إذا لم تطلب ذلك فتجاهل هذه الرسالة.",
        ],
    )


async def send_finish_registration(
    session: AsyncSession, settings: ApiSettings, *, to: str, token: str, hours: int
) -> None:
    await _send(
        session,
        settings,
        to=to,
        template="finish_registration",
        subject="Finish creating your account | أكمل إنشاء حسابك",
        before=[
            "Someone started creating a Tabashir account with this email address. To finish "
            "it, choose your password here (this also confirms the address):"
        ],
        link=f"{settings.web_app_url.rstrip('/')}/reset-password?token={quote(token)}",
        label="Choose my password",
        after=[
            f"The link works once and expires in {hours} hours. Earlier confirmation links no "
            "longer work. If this was not you, ignore this email.",
            "لإكمال إنشاء حسابك في تباشير اختر كلمة المرور عبر الرابط أعلاه.",
        ],
    )


async def send_already_registered(session: AsyncSession, settings: ApiSettings, *, to: str) -> None:
    await _send(
        session,
        settings,
        to=to,
        template="already_registered",
        subject="You already have an account | لديك حساب بالفعل",
        before=[
            "Someone tried to create a Tabashir account with this email address, which already "
            "has one. If it was you, sign in, or reset your password if you forgot it:"
        ],
        link=f"{settings.web_app_url.rstrip('/')}/forgot-password",
        label="Reset my password",
        after=["هذا البريد مسجّل لدينا بالفعل. سجّل الدخول أو أعد تعيين كلمة المرور."],
    )


async def send_security_notice(
    session: AsyncSession, settings: ApiSettings, *, to: str, what: str
) -> None:
    """Tell the owner about a change to how they sign in (password, second factor)."""
    await _send(
        session,
        settings,
        to=to,
        template="security_notice",
        subject="Security change on your account | تغيير أمني في حسابك",
        before=[
            f"{what} on your Tabashir account. If this was not you, reset your password now and "
            "contact support.",
            "تم تغيير إعدادات الأمان في حسابك. إذا لم تقم بذلك فأعد تعيين كلمة المرور فورًا.",
        ],
        after=[],
    )
