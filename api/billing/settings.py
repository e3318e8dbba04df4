"""Billing settings: provider keys and secrets under the seed's names, the rest ``TABASHIR_BILLING_``.

Development and test run with placeholders (and STRIPE_API_BASE pointed at a local Stripe-API
server); any other environment refuses to start with them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_STRIPE_SECRET_KEY = "sk_test_dev_placeholder"  # noqa: S105
DEV_STRIPE_WEBHOOK_SECRET = "whsec_dev_placeholder"  # noqa: S105
PLACEHOLDERS = frozenset(
    {"", "change-me", "changeme", "secret", "...", DEV_STRIPE_SECRET_KEY, DEV_STRIPE_WEBHOOK_SECRET}
)
#: Shorter HMAC keys than the hash output weaken the signature (RFC 2104 §3).
MIN_ZIINA_SECRET_BYTES = 32


class BillingSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="TABASHIR_BILLING_", env_file=".env", extra="ignore", validate_by_name=True
    )

    env: Literal["development", "test", "production"] = Field(
        default="development", validation_alias=AliasChoices("TABASHIR_ENV", "env")
    )
    stripe_secret_key: SecretStr = Field(
        default=SecretStr(DEV_STRIPE_SECRET_KEY),
        validation_alias=AliasChoices("STRIPE_SECRET_KEY", "stripe_secret_key"),
    )
    stripe_webhook_secret: SecretStr = Field(
        default=SecretStr(DEV_STRIPE_WEBHOOK_SECRET),
        validation_alias=AliasChoices("STRIPE_WEBHOOK_SECRET", "stripe_webhook_secret"),
    )
    #: Another Stripe-API server (localstripe in tests and development). Unset: Stripe itself.
    stripe_api_base: str | None = Field(
        default=None, validation_alias=AliasChoices("STRIPE_API_BASE", "stripe_api_base")
    )
    #: Oldest signature timestamp accepted, in seconds. Must be positive: the SDK turns replay
    #: protection off for 0 or None.
    stripe_webhook_tolerance_s: int = Field(default=300, gt=0, le=3600)
    stripe_timeout_s: float = Field(default=20.0, gt=0, le=120)
    stripe_max_network_retries: int = Field(default=2, ge=0, le=5)
    #: Unset: POST /api/webhooks/ziina answers 503 (Ziina is not configured).
    ziina_webhook_secret: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("ZIINA_WEBHOOK_SECRET", "ziina_webhook_secret"),
    )
    #: Where Stripe Checkout sends the buyer back; Stripe fills {CHECKOUT_SESSION_ID}.
    success_url: str = "http://127.0.0.1:3000/payment/success?session_id={CHECKOUT_SESSION_ID}"
    cancel_url: str = "http://127.0.0.1:3000/payment/cancelled"

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> BillingSettings:
        if self.env in ("development", "test"):
            return self
        key = self.stripe_secret_key.get_secret_value()
        if key in PLACEHOLDERS or not key.startswith(("sk_", "rk_")):
            raise ValueError(
                f"STRIPE_SECRET_KEY is a placeholder; set the real key (sk_… or rk_…) before "
                f"running with TABASHIR_ENV={self.env}"
            )
        hook = self.stripe_webhook_secret.get_secret_value()
        if hook in PLACEHOLDERS or not hook.startswith("whsec_"):
            raise ValueError(
                f"STRIPE_WEBHOOK_SECRET is a placeholder; set the endpoint's signing secret "
                f"(whsec_…) before running with TABASHIR_ENV={self.env}"
            )
        if self.ziina_webhook_secret is not None:
            ziina = self.ziina_webhook_secret.get_secret_value()
            if ziina in PLACEHOLDERS or len(ziina.encode()) < MIN_ZIINA_SECRET_BYTES:
                raise ValueError(
                    f"ZIINA_WEBHOOK_SECRET must be a real secret of at least "
                    f"{MIN_ZIINA_SECRET_BYTES} bytes when TABASHIR_ENV={self.env}"
                )
        return self


@lru_cache
def get_billing_settings() -> BillingSettings:
    return BillingSettings()
