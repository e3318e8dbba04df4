"""Search and match over HTTP: filters hold, scores are explained, ownership is enforced."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.indexer import refresh_indexes
from api.settings import ApiSettings
from api.state import AppState
from models import JobApplication, Resume, User
from models.enums import UserType
from tests.fixtures.users import auth_headers, make_user

pytestmark = pytest.mark.integration
CV = (
    "Omar Khalil\nData Analyst | Dubai\n\nEXPERIENCE\nData Analyst — Gulf Horizon Bank\n"
    "Mar 2020 – Present\nSQL and Python reporting, Power BI dashboards.\n\nSKILLS\n"
    "Python, SQL, Power BI\n"
)


async def _jobs(job_factory, session: AsyncSession, state: AppState) -> dict[str, object]:  # type: ignore[no-untyped-def]
    jobs = {
        "analyst": await job_factory(
            embedded=False,
            title="Data Analyst",
            city="Dubai",
            skills=["SQL", "Python"],
            description="SQL and Python analysis; Power BI dashboards.",
        ),
        "analyst_doha": await job_factory(
            embedded=False,
            title="Data Analyst",
            city="Doha",
            country="QA",
            skills=["SQL"],
            description="Reporting with SQL.",
        ),
        "nurse": await job_factory(
            embedded=False,
            title="Staff Nurse",
            city="Dubai",
            skills=["patient care"],
            description="Ward nursing and patient care.",
        ),
    }
    await refresh_indexes(session, state.embedder, state.lexical)
    await session.commit()
    return jobs


async def test_free_text_search_with_filters_and_facets(
    client: httpx.AsyncClient, session: AsyncSession, app_state: AppState, job_factory
) -> None:  # type: ignore[no-untyped-def]
    jobs = await _jobs(job_factory, session, app_state)
    body = (await client.get("/api/v1/search/jobs", params={"q": "data analyst sql"})).json()
    ids = [h["job"]["id"] for h in body["items"]]
    assert ids[0] in {str(jobs["analyst"].id), str(jobs["analyst_doha"].id)}  # type: ignore[attr-defined]
    assert {f["value"] for f in body["facets"]["city"]} >= {"Dubai", "Doha"}
    dubai = (
        await client.get("/api/v1/search/jobs", params={"q": "data analyst sql", "city": "Dubai"})
    ).json()
    assert {h["job"]["city"] for h in dubai["items"]} == {"Dubai"}
    newest = (await client.get("/api/v1/search/jobs", params={"city": "Dubai"})).json()
    assert newest["pagination"]["total"] == 2
    bad = await client.get("/api/v1/search/jobs", params={"jobType": "spaceship"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "validation_error"


async def test_match_for_own_resume_and_text_and_not_someone_elses(
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    settings: ApiSettings,
    job_factory,
) -> None:  # type: ignore[no-untyped-def]
    jobs = await _jobs(job_factory, session, app_state)
    owner = await make_user(session, settings.auth)
    other = await make_user(session, settings.auth)
    resume = Resume(
        user_id=owner.id,
        file_name="cv.txt",
        mime_type="text/plain",
        size_bytes=len(CV),
        sha256="a" * 64,
        extracted_text=CV,
        parsed={"skills": ["Python", "SQL", "Power BI"], "title": "Data Analyst"},
        parse_status="ok",
    )
    session.add(resume)
    await session.commit()
    await refresh_indexes(session, app_state.embedder, app_state.lexical)
    await session.commit()

    headers = await auth_headers(client, owner)
    got = await client.post(
        "/api/v1/match/jobs", json={"resumeId": str(resume.id)}, headers=headers
    )
    assert got.status_code == 200, got.text
    items = got.json()["items"]
    assert items[0]["job"]["id"] == str(jobs["analyst"].id)  # type: ignore[attr-defined]
    assert 0 <= items[-1]["score"] <= items[0]["score"] <= 1
    assert items[0]["explanation"]["matchedSkills"]
    assert items[0]["explanation"]["reasons"]

    text = await client.post(
        "/api/v1/match/jobs", json={"text": CV, "filters": {"city": ["Doha"]}}, headers=headers
    )
    assert [i["job"]["city"] for i in text.json()["items"]] == ["Doha"]

    stranger = await client.post(
        "/api/v1/match/jobs",
        json={"resumeId": str(resume.id)},
        headers=await auth_headers(client, other),
    )
    assert stranger.status_code == 404
    both = await client.post(
        "/api/v1/match/jobs", json={"resumeId": str(resume.id), "text": "x"}, headers=headers
    )
    assert both.status_code == 422
    anonymous = await client.post("/api/v1/match/jobs", json={"text": CV})
    assert anonymous.status_code == 401

    recommended = await client.get("/api/mobile/jobs/recommended", headers=headers)
    assert recommended.status_code == 200
    assert recommended.json()["items"][0]["job"]["id"] == str(jobs["analyst"].id)  # type: ignore[attr-defined]


async def test_applicants_ranked_for_the_jobs_recruiter_only(
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    settings: ApiSettings,
    job_factory,
) -> None:  # type: ignore[no-untyped-def]
    recruiter = await make_user(session, settings.auth, user_type=UserType.RECRUITER)
    rival = await make_user(session, settings.auth, user_type=UserType.RECRUITER)
    job = await job_factory(
        embedded=False, title="Data Analyst", owner_id=recruiter.id, skills=["SQL", "Python"]
    )
    applicants: list[User] = []
    for n, text in enumerate((CV, "Chef de partie. HACCP, food safety, hot kitchen.")):
        cand = await make_user(session, settings.auth)
        resume = Resume(
            user_id=cand.id,
            file_name="cv.txt",
            mime_type="text/plain",
            size_bytes=len(text),
            sha256=str(n) * 64,
            extracted_text=text,
            parsed={},
            parse_status="ok",
        )
        session.add(resume)
        await session.flush()
        session.add(JobApplication(user_id=cand.id, job_id=job.id, resume_id=resume.id))
        applicants.append(cand)
    await session.commit()
    await refresh_indexes(session, app_state.embedder, app_state.lexical)
    await session.commit()

    got = await client.get(
        f"/api/v1/jobs/{job.id}/candidates", headers=await auth_headers(client, recruiter)
    )
    assert got.status_code == 200, got.text
    ranked = got.json()
    assert [r["candidateId"] for r in ranked] == [str(applicants[0].id), str(applicants[1].id)]
    assert ranked[0]["score"] > ranked[1]["score"]
    assert "gender" not in ranked[0]
    assert "nationality" not in ranked[0]
    denied = await client.get(
        f"/api/v1/jobs/{job.id}/candidates", headers=await auth_headers(client, rival)
    )
    assert denied.status_code == 404


async def test_seed_match_route_takes_the_api_token(
    client: httpx.AsyncClient, session: AsyncSession, app_state: AppState, api_headers, job_factory
) -> None:  # type: ignore[no-untyped-def]
    await _jobs(job_factory, session, app_state)
    no_token = await client.post("/api/v1/resume/jobs/match", data={"text": CV})
    assert no_token.status_code == 401
    got = await client.post(
        "/api/v1/resume/jobs/match",
        files={"file": ("cv.txt", CV.encode(), "text/plain")},
        data={"locations": "Dubai"},
        headers=api_headers,
    )
    assert got.status_code == 200, got.text
    assert {i["job"]["city"] for i in got.json()["items"]} == {"Dubai"}
    empty = await client.post("/api/v1/resume/jobs/match", data={"text": " "}, headers=api_headers)
    assert empty.status_code == 400


async def test_a_short_query_in_one_language_finds_the_ads_of_that_title_in_the_other(
    client: httpx.AsyncClient, session: AsyncSession, app_state: AppState, job_factory
) -> None:  # type: ignore[no-untyped-def]
    analyst = await job_factory(
        embedded=False, title="Data Analyst", description="Reporting for a retail group."
    )
    await job_factory(embedded=False, title="Pastry Chef", description="Bread and cakes.")
    mohasib = await job_factory(
        embedded=False, title="محاسب", description="إعداد القوائم المالية.", language="ar"
    )
    await refresh_indexes(session, app_state.embedder, app_state.lexical)
    await session.commit()
    arabic = (await client.get("/api/v1/search/jobs", params={"q": "محلل بيانات"})).json()
    assert arabic["items"][0]["job"]["id"] == str(analyst.id)  # "Data Analyst", in English
    english = (await client.get("/api/v1/search/jobs", params={"q": "accountant"})).json()
    assert english["items"][0]["job"]["id"] == str(mohasib.id)  # "محاسب", in Arabic
