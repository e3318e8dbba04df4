"""POST /api/v1/resume/apply (multipart, service-to-service): the CV is extracted in the
sandbox, jobs found through the match port under positions and locations, applications made
above the minimum score within quota and credits, never twice, nothing the CV does not support;
nationality and gender land on the profile only and change nothing in the matching."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.applications.settings import ApplySettings
from api.billing import ledger
from models import Candidate, Job, JobApplication, Resume, User
from models.enums import CreditType
from tests.api.billing.helpers import ledger_rows
from tests.api.jobs.support import CV_TEXT, UserFactory, candidate, cv_file, make_job
from tests.conftest import API_TOKEN
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration

SERVICE = {"X-API-TOKEN": API_TOKEN}
AI = CreditType.AI_JOB_APPLY_COUNT


async def with_credits(session: AsyncSession, user: User, n: int) -> User:
    if n:
        await ledger.grant(session, user.id, AI, n, f"test-grant-{user.id}")
        await session.commit()
    return user


async def analyst_jobs(session: AsyncSession) -> dict[str, Job]:
    """Three data analyst jobs in Dubai, one in Riyadh, one chef job in Dubai."""
    text = "Analyse data with SQL and Python; build Excel dashboards for a Dubai bank."
    return {
        "dubai-1": await make_job(session, title="Data Analyst", description=text),
        "dubai-2": await make_job(session, title="Senior Data Analyst", description=text),
        "dubai-3": await make_job(
            session, title="Data Analyst (Banking)", description=text, skills=["SQL", "SAS"]
        ),
        "riyadh": await make_job(
            session, title="Data Analyst", city="Riyadh", country="SA", description=text
        ),
        "chef": await make_job(
            session,
            title="Chef de Partie",
            description="Run the grill station; analyse data with SQL and Python? no.",
            skills=["Cooking"],
        ),
    }


def form(email: str, **extra: Any) -> dict[str, Any]:
    return {
        "email": email,
        "nationality": "Emirati",
        "gender": "female",
        "positions": "Data Analyst",
        "locations": "Dubai",
        **extra,
    }


async def bulk(
    client: httpx.AsyncClient, data: dict[str, Any], cv: bytes | None = None, **kw: Any
) -> httpx.Response:
    files = {"file": ("cv.txt", cv if cv is not None else cv_file(), "text/plain")}
    return await client.post(
        "/api/v1/resume/apply", data=data, files=files, headers=kw.get("headers", SERVICE)
    )


async def test_bulk_apply_applies_to_the_best_matches_within_credits(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    jobs = await analyst_jobs(session)
    seeker = await with_credits(session, await candidate(user_factory), 2)
    response = await bulk(client, form(seeker.email))
    assert response.status_code == 200, response.text
    body = response.json()
    applied_ids = {a["job"]["id"] for a in body["applied"]}
    dubai = {str(jobs[k].id) for k in ("dubai-1", "dubai-2", "dubai-3")}
    # Positions and locations are hard filters: no chef, nothing in Riyadh.
    assert body["matched"] == 3
    assert len(applied_ids) == 2
    assert applied_ids <= dubai
    # Two credits, three matches: the third is reported, not applied.
    assert [s["reason"] for s in body["skipped"]] == ["insufficient_credits"]
    assert body["credits_left"] == 0
    assert body["quota_left"] == 23
    scores = [a["score"] for a in body["applied"]]
    assert scores == sorted(scores, reverse=True)
    for applied in body["applied"]:
        # Nothing the CV does not support: every matched skill is named in the CV.
        assert all(s in CV_TEXT for s in applied["explanation"]["matched_skills"])
        assert applied["explanation"]["matched_skills"]
    stored = (
        (await session.execute(select(JobApplication).where(JobApplication.user_id == seeker.id)))
        .scalars()
        .all()
    )
    assert {str(a.job_id) for a in stored} == applied_ids
    assert {a.origin.value for a in stored} == {"ai"}
    assert all(a.resume_id == stored[0].resume_id for a in stored)
    for application in stored:
        # The application holds the CV link, a score and the explanation; no protected fact.
        assert "female" not in str(application.match_explanation)
        assert "Emirati" not in str(application.match_explanation)
    resume = await session.get(Resume, stored[0].resume_id)
    assert resume is not None
    assert resume.extracted_text
    assert resume.embedding is not None
    profile = await session.get(Candidate, seeker.id, populate_existing=True)
    assert profile is not None
    assert (profile.nationality, profile.gender) == ("Emirati", "female")
    assert profile.desired_positions == ["Data Analyst"]
    assert profile.desired_locations == ["Dubai"]
    spends = [r for r in await ledger_rows(session, seeker.id) if r.delta < 0]
    assert [(r.delta, r.reason) for r in spends] == [(-1, "ai_job_apply"), (-1, "ai_job_apply")]

    # More credits, same request: the jobs applied to are skipped, the third one is applied.
    await ledger.grant(session, seeker.id, AI, 5, "more")
    await session.commit()
    again = (await bulk(client, form(seeker.email))).json()
    assert [a["job"]["id"] for a in again["applied"]] == list(dubai - applied_ids)
    assert sorted(s["reason"] for s in again["skipped"]) == ["already_applied", "already_applied"]
    assert again["credits_left"] == 4


async def test_protected_attributes_change_nothing(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    await analyst_jobs(session)
    one = await with_credits(session, await candidate(user_factory), 5)
    two = await with_credits(session, await candidate(user_factory), 5)
    first = (await bulk(client, form(one.email, gender="female", nationality="Indian"))).json()
    second = (await bulk(client, form(two.email, gender="male", nationality="Emirati"))).json()

    def picks(body: dict[str, Any]) -> list[tuple[str, float, Any]]:
        return [(a["job"]["id"], a["score"], a["explanation"]) for a in body["applied"]]

    assert picks(first) == picks(second)


async def test_without_credits_nothing_is_written(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    await analyst_jobs(session)
    seeker = await candidate(user_factory)
    assert_error(await bulk(client, form(seeker.email)), 402, "insufficient_credits")
    assert (
        await session.execute(
            select(func.count()).select_from(Resume).where(Resume.user_id == seeker.id)
        )
    ).scalar_one() == 0
    profile = await session.get(Candidate, seeker.id, populate_existing=True)
    assert profile is not None
    assert profile.nationality is None


async def test_minimum_score_and_quota(
    client: httpx.AsyncClient,
    apply_settings: ApplySettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    await analyst_jobs(session)
    seeker = await with_credits(session, await candidate(user_factory), 10)
    apply_settings.min_match_score = 0.99
    nothing = (await bulk(client, form(seeker.email))).json()
    assert (nothing["matched"], nothing["applied"], nothing["credits_left"]) == (0, [], 10)
    apply_settings.min_match_score = 0.05
    apply_settings.daily_quota = 1
    one = (await bulk(client, form(seeker.email))).json()
    assert len(one["applied"]) == 1
    assert one["skipped"][-1]["reason"] == "daily_quota_reached"
    assert one["quota_left"] == 0
    assert_error(await bulk(client, form(seeker.email)), 429, "daily_quota_reached")
    apply_settings.daily_quota = 25
    apply_settings.bulk_max_jobs = 1
    capped = (await bulk(client, form(seeker.email))).json()
    assert len(capped["applied"]) == 1
    assert capped["skipped"][-1]["reason"] == "request_limit"


async def test_locations_mix_cities_and_countries_and_positions_split_on_commas(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    jobs = await analyst_jobs(session)
    seeker = await with_credits(session, await candidate(user_factory), 10)
    body = (
        await bulk(
            client,
            form(seeker.email, locations="Saudi Arabia", positions="Chef, Data Analyst"),
        )
    ).json()
    assert [a["job"]["id"] for a in body["applied"]] == [str(jobs["riyadh"].id)]


@pytest.mark.parametrize(
    ("change", "cv", "status", "code"),
    [
        ({"email": "nobody@example.com"}, None, 404, "candidate_not_found"),
        ({"email": "not-an-email"}, None, 422, "validation_error"),
        ({"gender": "x" * 21}, None, 422, "validation_error"),
        ({"positions": "p" * 201}, None, 422, "validation_error"),
        ({}, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "unsupported_file_type"),
        ({}, b"a" * (2 * 1024 * 1024 + 1), 413, "file_too_large"),
    ],
)
async def test_untrusted_input_gets_a_clear_4xx(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    session: AsyncSession,
    change: dict[str, Any],
    cv: bytes | None,
    status: int,
    code: str,
) -> None:
    seeker = await with_credits(session, await candidate(user_factory), 3)
    assert_error(await bulk(client, {**form(seeker.email), **change}, cv), status, code)


async def test_bulk_apply_is_service_to_service(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    seeker = await with_credits(session, await candidate(user_factory), 1)
    assert_error(await bulk(client, form(seeker.email), headers={}), 401, "invalid_api_token")
    missing_file = await client.post(
        "/api/v1/resume/apply", data=form(seeker.email), headers=SERVICE
    )
    assert_error(missing_file, 422, "validation_error")


async def test_nul_characters_in_form_fields_are_refused(
    client: httpx.AsyncClient, user_factory: UserFactory, session: AsyncSession
) -> None:
    seeker = await with_credits(session, await candidate(user_factory), 3)
    assert_error(await bulk(client, {**form(seeker.email), "nationality": "Emi\x00rati"}), 422)
