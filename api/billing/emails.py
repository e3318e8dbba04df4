"""Billing emails (receipt, LinkedIn onboarding), queued through the one sender in the caller's
transaction: an email exists exactly when the payment that caused it is committed."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from api.billing.catalogue import Product
from api.integrations.email import send_email
from api.settings import ApiSettings
from models import EmailOutbox, Payment

RECEIPT_TEMPLATE = "billing_receipt"
LINKEDIN_TEMPLATE = "linkedin_onboarding"


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:.2f} {currency}"


async def send_receipt(
    session: AsyncSession,
    settings: ApiSettings,
    *,
    to: str,
    name: str | None,
    payment: Payment,
    product: Product,
) -> EmailOutbox:
    """The receipt of one confirmed payment, in English then Arabic."""
    price = _money(payment.amount, payment.currency)
    paid_on = payment.payment_date.date().isoformat() if payment.payment_date else ""
    if product.grants:
        granted = ", ".join(f"{qty} {credit.value}" for credit, qty in product.grants.items())
        what_en = f"Credits added to your account: {granted}."
        what_ar = f"أُضيفت إلى حسابك الأرصدة التالية: {granted}."
    else:
        what_en = "Our team will contact you shortly to deliver this service."
        what_ar = "سيتواصل معك فريقنا قريباً لتقديم هذه الخدمة."
    body = "\n".join(
        [
            f"Hello {name or ''},".replace(" ,", ","),
            "",
            f"Thank you for your purchase of {product.name_en}.",
            f"Amount paid: {price}",
            f"Date: {paid_on}",
            f"Receipt number: {payment.id}",
            f"Payment reference: {payment.transaction_id or payment.checkout_session_id or ''}",
            what_en,
            "",
            "—",
            "",
            f"شكراً لشرائك خدمة {product.name_ar}.",
            f"المبلغ المدفوع: {price}",
            f"التاريخ: {paid_on}",
            f"رقم الإيصال: {payment.id}",
            what_ar,
            "",
            "Tabashir — تبشير",
        ]
    )
    return await send_email(
        session,
        settings,
        to=to,
        subject=f"Your Tabashir receipt: {product.name_en} ({price})",
        body_text=body,
        template=RECEIPT_TEMPLATE,
    )


async def send_linkedin_onboarding(
    session: AsyncSession, settings: ApiSettings, *, to: str, name: str | None
) -> EmailOutbox:
    """What to do next after buying AI Job Apply: connect LinkedIn and complete the profile."""
    link = f"{settings.web_app_url.rstrip('/')}/ai-job-apply/onboarding"
    body = "\n".join(
        [
            f"Hello {name or ''},".replace(" ,", ","),
            "",
            "Welcome to AI Job Apply. To let us apply for you:",
            "1. Make sure your CV on Tabashir is up to date.",
            "2. Share your LinkedIn profile URL and the roles and cities you want.",
            "3. Review the first matches we send you.",
            f"Start here: {link}",
            "",
            "—",
            "",
            "مرحباً بك في خدمة التقديم الذكي على الوظائف. لنبدأ التقديم نيابةً عنك:",
            "١. تأكد من تحديث سيرتك الذاتية على تبشير.",
            "٢. شارك رابط ملفك على لينكدإن والوظائف والمدن التي تريدها.",
            "٣. راجع أول الوظائف المطابقة التي نرسلها إليك.",
            f"ابدأ من هنا: {link}",
        ]
    )
    return await send_email(
        session,
        settings,
        to=to,
        subject="AI Job Apply: connect your LinkedIn profile",
        body_text=body,
        template=LINKEDIN_TEMPLATE,
    )
