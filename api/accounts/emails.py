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


async def send_verification(
    session: AsyncSession, settings: ApiSettings, *, to: str, token: str, hours: int
) -> None:
    link = f"{settings.public_url.rstrip('/')}/api/auth/verify-email?token={quote(token)}"
    lines = [
        "Welcome to Tabashir. Please confirm your email address to activate your account:",
        link,
        f"The link works once and expires in {hours} hours.",
        "مرحبًا بك في تباشير. يرجى تأكيد بريدك الإلكتروني لتفعيل حسابك عبر الرابط أعلاه.",
    ]
    await send_email(
        session,
        settings,
        to=to,
        subject="Confirm your email | تأكيد البريد الإلكتروني",
        body_text="\n\n".join(lines),
        body_html=_html([lines[0], lines[2], lines[3]], link, "Confirm my email"),
        template="verify_email",
    )


async def send_password_reset(
    session: AsyncSession, settings: ApiSettings, *, to: str, token: str, minutes: int
) -> None:
    link = f"{settings.web_app_url.rstrip('/')}/reset-password?token={quote(token)}"
    lines = [
        "Someone asked to reset the password of your Tabashir account. If it was you:",
        link,
        f"The link works once and expires in {minutes} minutes. "
        "If it was not you, ignore this email: your password stays as it is.",
        "لإعادة تعيين كلمة المرور استخدم الرابط أعلاه. إذا لم تطلب ذلك فتجاهل هذه الرسالة.",
    ]
    await send_email(
        session,
        settings,
        to=to,
        subject="Reset your password | إعادة تعيين كلمة المرور",
        body_text="\n\n".join(lines),
        body_html=_html([lines[0], lines[2], lines[3]], link, "Choose a new password"),
        template="reset_password",
    )


async def send_finish_registration(
    session: AsyncSession, settings: ApiSettings, *, to: str, token: str, hours: int
) -> None:
    link = f"{settings.web_app_url.rstrip('/')}/reset-password?token={quote(token)}"
    lines = [
        "Someone started creating a Tabashir account with this email address. To finish it, "
        "choose your password here (this also confirms the address):",
        link,
        f"The link works once and expires in {hours} hours. Earlier confirmation links no "
        "longer work. If this was not you, ignore this email.",
        "لإكمال إنشاء حسابك في تباشير اختر كلمة المرور عبر الرابط أعلاه.",
    ]
    await send_email(
        session,
        settings,
        to=to,
        subject="Finish creating your account | أكمل إنشاء حسابك",
        body_text="\n\n".join(lines),
        body_html=_html([lines[0], lines[2], lines[3]], link, "Choose my password"),
        template="finish_registration",
    )


async def send_already_registered(session: AsyncSession, settings: ApiSettings, *, to: str) -> None:
    link = f"{settings.web_app_url.rstrip('/')}/forgot-password"
    lines = [
        "Someone tried to create a Tabashir account with this email address, which already "
        "has one. If it was you, sign in, or reset your password if you forgot it:",
        link,
        "هذا البريد مسجّل لدينا بالفعل. سجّل الدخول أو أعد تعيين كلمة المرور.",
    ]
    await send_email(
        session,
        settings,
        to=to,
        subject="You already have an account | لديك حساب بالفعل",
        body_text="\n\n".join(lines),
        body_html=_html([lines[0], lines[2]], link, "Reset my password"),
        template="already_registered",
    )


async def send_security_notice(
    session: AsyncSession, settings: ApiSettings, *, to: str, what: str
) -> None:
    """Tell the owner about a change to how they sign in (password, second factor)."""
    lines = [
        f"{what} on your Tabashir account. If this was not you, reset your password now and "
        "contact support.",
        "تم تغيير إعدادات الأمان في حسابك. إذا لم تقم بذلك فأعد تعيين كلمة المرور فورًا.",
    ]
    await send_email(
        session,
        settings,
        to=to,
        subject="Security change on your account | تغيير أمني في حسابك",
        body_text="\n\n".join(lines),
        body_html=_html(lines),
        template="security_notice",
    )
