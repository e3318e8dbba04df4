"""Your data: export everything held about you, and delete your account (personal data removed,
sessions revoked, payments kept)."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import (
    AiResume,
    AiResumePersonalDetails,
    AuditLog,
    Candidate,
    EmailOutbox,
    JobApplication,
    Payment,
    RefreshToken,
    Resume,
    SavedJob,
    User,
)
from models.account import OAuthIdentity, OAuthProvider
from models.enums import PaymentProvider, PaymentStatus, UserType
from tests.api.accounts.conftest import UserFactory
from tests.fixtures.factories import make_job
from tests.fixtures.users import PASSWORD, assert_error, bearer, login

pytestmark = pytest.mark.integration

ME = "/api/mobile/me"


async def give_records(session: AsyncSession, user: User) -> dict[str, object]:
    """A CV, an AI resume with its details, an application, a saved job, a payment, a linked
    sign-in: one of everything a candidate accumulates."""
    job = await make_job(session)
    resume = Resume(
        user_id=user.id,
        file_name="layla_cv.pdf",
        mime_type="application/pdf",
        size_bytes=1024,
        sha256="a" * 64,
        extracted_text="Data analyst, SQL, Python",
        embedding=[0.0] * 384,
    )
    session.add(resume)
    await session.flush()
    ai = AiResume(user_id=user.id, title="ATS CV", source_resume_id=resume.id)
    session.add(ai)
    await session.flush()
    session.add(AiResumePersonalDetails(ai_resume_id=ai.id, full_name="Layla", phone="+97150"))
    session.add(JobApplication(user_id=user.id, job_id=job.id, resume_id=resume.id))
    session.add(SavedJob(user_id=user.id, job_id=job.id))
    payment = Payment(
        user_id=user.id,
        provider=PaymentProvider.STRIPE,
        transaction_id=f"pi_{user.id.hex}",
        product_code="ai_job_apply",
        amount=Decimal("200.00"),
        status=PaymentStatus.SUCCEEDED,
    )
    session.add(payment)
    session.add(
        OAuthIdentity(
            user_id=user.id, provider=OAuthProvider.GOOGLE, subject=f"g-{user.id}", email=user.email
        )
    )
    await session.commit()
    return {"job": job, "resume": resume, "ai": ai, "payment": payment}


async def test_export_holds_everything_about_me_and_nothing_secret(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    me = await user_factory(email="layla@example.com")
    stranger = await user_factory(email="stranger@example.com")
    await give_records(session, me)
    await give_records(session, stranger)
    tokens = await login(client, me.email)
    await client.post("/api/auth/forgot-password", json={"email": me.email})

    response = await client.get(f"{ME}/export", headers=bearer(tokens["accessToken"]))
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["user"]["email"] == "layla@example.com"
    records = export["records"]
    for table in (
        "candidates",
        "resumes",
        "ai_resumes",
        "ai_resume_personal_details",
        "job_applications",
        "saved_jobs",
        "payments",
        "refresh_tokens",
        "oauth_identities",
        "emails",
    ):
        assert records.get(table), f"{table} missing from the export"
    assert records["resumes"][0]["extracted_text"] == "Data analyst, SQL, Python"
    assert records["ai_resume_personal_details"][0]["full_name"] == "Layla"
    text = response.text
    for secret in ("password_hash", "token_hash", '"embedding"', tokens["refreshToken"], "$argon2"):
        assert secret not in text
    assert str(stranger.id) not in text
    assert "reset-password?token" not in text  # email bodies hold live links: subjects only


async def test_delete_account_removes_personal_data_and_keeps_payments(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    user = await user_factory(email="layla@example.com")
    records = await give_records(session, user)
    tokens = await login(client, user.email)
    headers = bearer(tokens["accessToken"])
    await client.post("/api/auth/forgot-password", json={"email": user.email})

    wrong = await client.request("DELETE", ME, headers=headers, json={"password": "not mine!"})
    assert_error(wrong, 400, "wrong_password")
    done = await client.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
    assert done.status_code == 200, done.text

    assert_error(await client.get(ME, headers=headers), 401, "token_revoked")
    assert (
        await client.post("/api/mobile/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    ).status_code == 401
    assert_error(
        await client.post(
            "/api/mobile/auth/login", json={"email": "layla@example.com", "password": PASSWORD}
        ),
        401,
        "invalid_credentials",
    )

    await session.refresh(user)
    assert user.email != "layla@example.com"
    assert user.email.endswith("@deleted.invalid")
    assert (user.name, user.password_hash, user.is_active) == (None, None, False)
    assert user.deleted_at is not None
    for model in (
        Candidate,
        Resume,
        AiResume,
        JobApplication,
        SavedJob,
        RefreshToken,
        OAuthIdentity,
    ):
        column = model.user_id
        count = (
            await session.execute(select(func.count()).select_from(model).where(column == user.id))
        ).scalar_one()
        assert count == 0, model.__tablename__
    ai_details = (
        await session.execute(select(func.count()).select_from(AiResumePersonalDetails))
    ).scalar_one()
    assert ai_details == 0
    outbox = (
        await session.execute(
            select(func.count())
            .select_from(EmailOutbox)
            .where(EmailOutbox.to_address == "layla@example.com")
        )
    ).scalar_one()
    assert outbox == 0
    payment = await session.get(Payment, records["payment"].id)  # type: ignore[attr-defined]
    assert payment is not None
    assert payment.user_id == user.id
    actions = (await session.execute(select(AuditLog.action))).scalars().all()
    assert "account.deleted" in actions

    # The address is free again.
    again = await client.post(
        "/api/mobile/auth/register", json={"email": "layla@example.com", "password": PASSWORD}
    )
    assert again.status_code == 201
    assert (
        await session.execute(select(User).where(User.email == "layla@example.com"))
    ).scalar_one_or_none() is not None


async def test_admins_cannot_delete_their_own_account_here(
    client: httpx.AsyncClient, user_factory: UserFactory
) -> None:
    admin = await user_factory(user_type=UserType.ADMIN)
    headers = bearer((await login(client, admin.email))["accessToken"])
    response = await client.request("DELETE", ME, headers=headers, json={"password": PASSWORD})
    assert_error(response, 403, "admin_account")
