"""What we sell, as data: prices in fils (1 AED = 100 fils) and what each purchase grants.

Quantities:

- **AI Job Apply** (200 AED) grants 50 ``aiJobApplyCount`` (applications the AI sends for the
  candidate) and 50 ``jobCount`` (manual applications), and starts the LinkedIn onboarding email.
- **LinkedIn Optimisation** (60 AED), **ATS CV** (40 AED) and **Interview Training** (150 AED) grant
  no counter: a person delivers them, so a paid purchase records a fulfilment need (the payment's
  ``fulfilment_status`` becomes ``pending``) that an admin marks done.

Every product is ``one_off`` today. ``recurring`` exists in the vocabulary for plans sold as
subscriptions; checkout refuses it until renewals grant credits (subscription state itself is
mirrored from the provider's events whatever was sold).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from models.enums import CreditType

FILS_PER_AED = 100

ProductKind = Literal["one_off", "recurring"]


@dataclass(frozen=True)
class Product:
    code: str
    name_en: str
    name_ar: str
    #: Price in the currency's minor unit (fils).
    amount: int
    kind: ProductKind
    grants: Mapping[CreditType, int] = field(default_factory=lambda: MappingProxyType({}))
    #: What a person must deliver after payment when the product grants no credits.
    fulfilment: str | None = None
    #: Send the LinkedIn onboarding email once the purchase is confirmed.
    linkedin_onboarding: bool = False
    currency: str = "AED"

    @property
    def amount_decimal(self) -> Decimal:
        """The price in AED, as stored on ``Payment.amount``."""
        return Decimal(self.amount) / FILS_PER_AED

    def name(self, language: str = "en") -> str:
        return self.name_ar if language == "ar" else self.name_en


_PRODUCTS = (
    Product(
        code="ai_job_apply",
        name_en="AI Job Apply",
        name_ar="التقديم الذكي على الوظائف",
        amount=200 * FILS_PER_AED,
        kind="one_off",
        grants=MappingProxyType({CreditType.AI_JOB_APPLY_COUNT: 50, CreditType.JOB_COUNT: 50}),
        linkedin_onboarding=True,
    ),
    Product(
        code="linkedin_optimisation",
        name_en="LinkedIn Optimisation",
        name_ar="تحسين ملف لينكدإن",
        amount=60 * FILS_PER_AED,
        kind="one_off",
        fulfilment="Review and rewrite the candidate's LinkedIn profile",
    ),
    Product(
        code="ats_cv",
        name_en="ATS CV",
        name_ar="سيرة ذاتية متوافقة مع أنظمة تتبع المتقدمين",
        amount=40 * FILS_PER_AED,
        kind="one_off",
        fulfilment="Deliver an ATS-ready CV",
    ),
    Product(
        code="interview_training",
        name_en="Interview Training",
        name_ar="التدريب على المقابلات",
        amount=150 * FILS_PER_AED,
        kind="one_off",
        fulfilment="Schedule and hold an interview training session",
    ),
)

CATALOGUE: Mapping[str, Product] = MappingProxyType({p.code: p for p in _PRODUCTS})


def get_product(code: str) -> Product | None:
    """The product with this code, or None."""
    return CATALOGUE.get(code)


def _check(products: tuple[Product, ...]) -> None:
    codes = [p.code for p in products]
    if len(set(codes)) != len(codes):
        raise ValueError("product codes must be unique")
    for p in products:
        if p.amount <= 0:
            raise ValueError(f"{p.code}: the price must be positive")
        if any(q <= 0 for q in p.grants.values()):
            raise ValueError(f"{p.code}: grants must be positive")
        if not p.grants and not p.fulfilment:
            raise ValueError(f"{p.code}: a product grants credits or names its fulfilment")


_check(_PRODUCTS)
