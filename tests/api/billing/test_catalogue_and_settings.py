"""The catalogue as data, and settings that refuse placeholders outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.billing.catalogue import CATALOGUE, get_product
from api.billing.settings import BillingSettings
from models.enums import CreditType

pytestmark = pytest.mark.unit


def test_the_catalogue_has_the_four_services_at_the_seed_prices() -> None:
    prices = {code: p.amount for code, p in CATALOGUE.items()}
    assert prices == {
        "ai_job_apply": 20000,
        "linkedin_optimisation": 6000,
        "ats_cv": 4000,
        "interview_training": 15000,
    }
    assert all(p.currency == "AED" and p.kind == "one_off" for p in CATALOGUE.values())
    assert all(p.name_ar and p.name_en for p in CATALOGUE.values())


def test_ai_job_apply_grants_credits_and_the_others_record_a_fulfilment() -> None:
    ai = get_product("ai_job_apply")
    assert ai is not None
    assert dict(ai.grants) == {CreditType.AI_JOB_APPLY_COUNT: 50, CreditType.JOB_COUNT: 50}
    assert ai.linkedin_onboarding
    for code in ("linkedin_optimisation", "ats_cv", "interview_training"):
        product = get_product(code)
        assert product is not None
        assert not product.grants
        assert product.fulfilment
    assert get_product("nope") is None


def test_the_catalogue_cannot_be_changed_at_run_time() -> None:
    with pytest.raises(TypeError):
        CATALOGUE["free"] = CATALOGUE["ats_cv"]  # type: ignore[index]
    ai = get_product("ai_job_apply")
    assert ai is not None
    with pytest.raises(TypeError):
        ai.grants[CreditType.JOB_COUNT] = 10_000  # type: ignore[index]


def test_development_runs_with_placeholders() -> None:
    settings = BillingSettings(env="development")
    assert settings.stripe_secret_key.get_secret_value().startswith("sk_test_")
    assert settings.stripe_webhook_tolerance_s == 300


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"stripe_secret_key": "sk_live_real", "stripe_webhook_secret": "secret"},
        {"stripe_secret_key": "change-me", "stripe_webhook_secret": "whsec_real"},
        {"stripe_secret_key": "pk_live_wrong_kind", "stripe_webhook_secret": "whsec_real"},
        {
            "stripe_secret_key": "sk_live_real",
            "stripe_webhook_secret": "whsec_real",
            "ziina_webhook_secret": "short",
        },
    ],
)
def test_production_refuses_placeholder_secrets(overrides: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        BillingSettings(env="production", **overrides)


def test_production_accepts_real_secrets() -> None:
    settings = BillingSettings(
        env="production",
        stripe_secret_key="rk_test_not_a_real_key_0123",  # any sk_/rk_ key that is no placeholder
        stripe_webhook_secret="whsec_0123456789",
        ziina_webhook_secret="z" * 40,
    )
    assert settings.ziina_webhook_secret is not None


@pytest.mark.parametrize("tolerance", [0, -5])
def test_a_non_positive_webhook_tolerance_is_refused(tolerance: int) -> None:
    with pytest.raises(ValidationError):
        BillingSettings(env="test", stripe_webhook_tolerance_s=tolerance)


def test_settings_read_the_seed_names_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_from_env")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_from_env")
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:8420")
    monkeypatch.setenv("TABASHIR_BILLING_SUCCESS_URL", "https://app.example.com/ok")
    settings = BillingSettings()
    assert settings.stripe_secret_key.get_secret_value() == "sk_test_from_env"
    assert settings.stripe_webhook_secret.get_secret_value() == "whsec_from_env"
    assert settings.stripe_api_base == "http://127.0.0.1:8420"
    assert settings.success_url == "https://app.example.com/ok"
