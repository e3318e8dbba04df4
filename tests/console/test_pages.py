"""The console without a browser: words in both languages, development-only pages."""

from __future__ import annotations

import httpx
import pytest

from api.console.i18n import WORDS, pick_lang, translate
from api.demo.loader import DEMO_PASSWORD


@pytest.mark.unit
def test_every_word_has_an_arabic_translation() -> None:
    for key, (en, ar) in WORDS.items():
        assert en.strip(), key
        assert ar.strip(), key
        if key != "switch_lang":  # the switch names the other language
            assert any("\u0600" <= ch <= "\u06ff" for ch in ar), key


@pytest.mark.unit
def test_language_choice() -> None:
    assert pick_lang("ar", None, None) == "ar"
    assert pick_lang(None, "ar", "en-GB") == "ar"
    assert pick_lang(None, None, "ar-AE,ar;q=0.9") == "ar"
    assert pick_lang("xx", None, None) == "en"
    assert translate("ar", "sign_in") == "تسجيل الدخول"


@pytest.mark.integration
async def test_pages_are_rtl_in_arabic(client: httpx.AsyncClient) -> None:
    page = await client.get("/console/login?lang=ar")
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text
    assert page.cookies.get("tabashir_lang") == "ar"


@pytest.mark.integration
async def test_the_mailbox_and_demo_accounts_are_development_only(
    client: httpx.AsyncClient,
) -> None:
    # The test client runs with TABASHIR_ENV=test: neither exists there.
    assert (await client.get("/console/mailbox")).status_code == 404
    assert DEMO_PASSWORD not in (await client.get("/console/login")).text


@pytest.mark.integration
async def test_a_signed_out_visitor_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    answer = await client.get("/console/candidate/jobs")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/console/login?next=/console/candidate/jobs"


@pytest.mark.integration
async def test_a_wrong_password_is_a_page_not_a_crash(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/console/login", data={"email": "nobody@example.com", "password": "wrong-password"}
    )
    assert answer.status_code == 401
    assert 'role="alert"' in answer.text
