"""The candidate home: dashboard, trending, recommendations (match port), analytics in Dubai
months, market insights from SQL aggregates; and notifications (paginated, mark read, own only)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.billing import ledger
from api.settings import ApiSettings
from models import Candidate, JobApplication, Notification, SavedJob
from models.enums import ApplicationOrigin, ApplicationStage, CreditType, JobStatus, SalaryPeriod
from models.pipeline import ApplicationStageChange
from tests.api.applications.test_apply import add_resume
from tests.api.jobs.support import UserFactory, bearer_for, candidate, make_job, recruiter
from tests.fixtures.users import assert_cross_user_404, assert_error

pytestmark = pytest.mark.integration


async def test_dashboard(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker = await candidate(user_factory)
    headers = bearer_for(settings, seeker)
    empty = (await client.get("/api/mobile/home/dashboard", headers=headers)).json()
    assert empty["applications"]["total"] == 0
    assert empty["recentApplications"] == []
    assert empty["profileCompleteness"] == 0
    jobs = [await make_job(session) for _ in range(7)]
    for job in jobs[:6]:
        session.add(JobApplication(user_id=seeker.id, job_id=job.id))
    session.add(SavedJob(user_id=seeker.id, job_id=jobs[6].id))
    session.add(Notification(user_id=seeker.id, kind="x", title="hello"))
    profile = await session.get(Candidate, seeker.id)
    assert profile is not None
    profile.city, profile.desired_positions = "Dubai", ["Data Analyst"]
    await session.commit()
    await ledger.grant(session, seeker.id, CreditType.AI_JOB_APPLY_COUNT, 4, "g")
    await add_resume(session, seeker)
    body = (await client.get("/api/mobile/home/dashboard", headers=headers)).json()
    assert body["applications"]["total"] == 6
    assert body["applications"]["byStage"]["applied"] == 6
    assert (body["savedJobs"], body["resumes"], body["unreadNotifications"]) == (1, 1, 1)
    assert body["credits"] == {"aiJobApplyCount": 4, "jobCount": 0}
    assert body["profileCompleteness"] == 50  # city, positions, CV of six facts
    assert len(body["recentApplications"]) == 5
    assert_error(
        await client.get(
            "/api/mobile/home/dashboard",
            headers=bearer_for(settings, await recruiter(user_factory)),
        ),
        403,
    )


async def test_trending_counts_recent_applications_and_saves(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    hot, warm, cold = (
        await make_job(session, title="Hot"),
        await make_job(session, title="Warm"),
        await make_job(session, title="Cold"),
    )
    closed = await make_job(session, title="Closed", status=JobStatus.CLOSED)
    old = datetime.now(UTC) - timedelta(days=30)
    for i in range(3):
        user = await candidate(user_factory)
        session.add(JobApplication(user_id=user.id, job_id=hot.id))
        session.add(JobApplication(user_id=user.id, job_id=closed.id))
        if i < 2:
            session.add(JobApplication(user_id=user.id, job_id=cold.id, created_at=old))
        if i == 0:
            session.add(SavedJob(user_id=user.id, job_id=warm.id))
    await session.commit()
    headers = bearer_for(settings, await candidate(user_factory))
    body = (await client.get("/api/mobile/home/trending", headers=headers)).json()
    assert [(i["job"]["title"], i["applications"], i["saves"]) for i in body["items"]] == [
        ("Hot", 3, 0),
        ("Warm", 0, 1),
    ]
    wider = (await client.get("/api/mobile/home/trending?days=60", headers=headers)).json()
    assert [i["job"]["title"] for i in wider["items"]] == ["Hot", "Cold", "Warm"]
    assert wider["pagination"]["total"] == 3
    assert_error(await client.get("/api/mobile/home/trending?days=91", headers=headers), 422)


async def test_recommendations_follow_the_cv_and_leave_out_applied_jobs(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker = await candidate(user_factory)
    headers = bearer_for(settings, seeker)
    none = (await client.get("/api/mobile/home/recommendations", headers=headers)).json()
    assert none["basis"] == "none"
    assert none["items"] == []
    analyst = await make_job(
        session,
        title="Data Analyst",
        description="Analyse data with SQL and Python; dashboards in Excel.",
    )
    applied = await make_job(session, title="Data Analyst II", description="SQL and Python.")
    await make_job(session, title="Data Analyst", city="Doha", country="QA", description="SQL")
    await make_job(session, title="Pastry Chef", description="Bake.", skills=["Baking"])
    expired = await make_job(
        session, title="Data Analyst", expires_at=datetime.now(UTC) - timedelta(hours=1)
    )
    session.add(JobApplication(user_id=seeker.id, job_id=applied.id))
    profile = await session.get(Candidate, seeker.id)
    assert profile is not None
    profile.desired_locations = ["Dubai"]
    await session.commit()
    await add_resume(session, seeker)
    body = (await client.get("/api/mobile/home/recommendations", headers=headers)).json()
    assert body["basis"] == "resume"
    ids = [i["job"]["id"] for i in body["items"]]
    assert ids[0] == str(analyst.id)
    assert str(applied.id) not in ids
    assert str(expired.id) not in ids
    assert all(i["job"]["city"] == "Dubai" for i in body["items"])
    assert body["items"][0]["explanation"]["matched_skills"] == ["SQL", "Python"]
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


async def test_analytics_in_dubai_months(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    seeker = await candidate(user_factory)
    now = datetime.now(UTC)
    this_month = datetime(now.year, now.month, 1, tzinfo=UTC)
    moved = await make_job(session)
    for job, created, origin, score in (
        (moved, this_month + timedelta(days=1), ApplicationOrigin.AI, 0.8),
        (await make_job(session), this_month + timedelta(days=2), ApplicationOrigin.SINGLE, 0.4),
        # 21:00 UTC on the last day of last month is already this month in Dubai.
        (await make_job(session), this_month - timedelta(hours=3), ApplicationOrigin.SINGLE, None),
    ):
        application = JobApplication(
            user_id=seeker.id, job_id=job.id, created_at=created, origin=origin, matched_score=score
        )
        session.add(application)
        await session.flush()
        if job is moved:
            application.stage = ApplicationStage.SCREENING
            session.add(
                ApplicationStageChange(
                    application_id=application.id,
                    from_stage=ApplicationStage.APPLIED,
                    to_stage=ApplicationStage.SCREENING,
                )
            )
    await session.commit()
    body = (
        await client.get(
            "/api/mobile/home/analytics?months=3", headers=bearer_for(settings, seeker)
        )
    ).json()
    assert body["timeZone"] == "Asia/Dubai"
    assert [m["count"] for m in body["applicationsPerMonth"]] == [0, 0, 3]
    assert body["applicationsPerMonth"][-1]["month"] == this_month.strftime("%Y-%m")
    assert body["byStage"]["screening"] == 1
    assert body["responseRate"] == pytest.approx(1 / 3, abs=1e-3)
    assert body["averageMatchScore"] == pytest.approx(0.6)
    assert body["byOrigin"] == {"single": 2, "bulk": 0, "ai": 1}


async def test_market_insights(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    month = SalaryPeriod.MONTH
    for low, high in ((10000, 12000), (14000, 16000), (20000, 24000)):
        await make_job(
            session,
            title="Data Analyst",
            skills=["SQL", "Python"],
            salary_min=low,
            salary_max=high,
            salary_currency="AED",
            salary_period=month,
        )
    await make_job(session, title="Data analyst ", city="Riyadh", country="SA", skills=["sql"])
    await make_job(session, title="Chef", skills=["Cooking"], status=JobStatus.CLOSED)
    headers = bearer_for(settings, await candidate(user_factory))
    body = (await client.get("/api/mobile/home/market-insights", headers=headers)).json()
    assert body["openJobs"] == 4
    assert body["topSkills"][0] == {"skill": "SQL", "jobs": 4}  # "sql" and "SQL" are one skill
    assert {"skill": "Cooking", "jobs": 1} not in body["topSkills"]  # closed jobs do not count
    assert body["topCities"][0] == {"city": "Dubai", "country": "AE", "jobs": 3}
    assert {"skill": "SQL", "city": "Dubai", "jobs": 3} in body["skillCityDemand"]
    (salaries,) = body["salaryRanges"]
    assert (salaries["title"], salaries["currency"], salaries["period"]) == (
        "data analyst",
        "AED",
        "month",
    )
    assert (salaries["jobs"], salaries["min"], salaries["max"]) == (3, 10000, 24000)
    assert salaries["median"] == 15000.0
    assert (salaries["p25"], salaries["p75"]) == (13000.0, 18500.0)
    riyadh = (
        await client.get("/api/mobile/home/market-insights?city=Riyadh", headers=headers)
    ).json()
    assert riyadh["openJobs"] == 1
    assert riyadh["salaryRanges"] == []
    gulf = (
        await client.get("/api/mobile/home/market-insights?country=KSA", headers=headers)
    ).json()
    assert gulf["openJobs"] == 1


async def test_notifications_are_paginated_marked_read_and_private(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner, other = await candidate(user_factory), await candidate(user_factory)
    notes = []
    for i in range(3):
        note = Notification(
            user_id=owner.id,
            kind="k",
            title=f"n{i}",
            created_at=datetime.now(UTC) + timedelta(seconds=i),
        )
        session.add(note)
        notes.append(note)
    await session.commit()
    mine, theirs = bearer_for(settings, owner), bearer_for(settings, other)
    page = (await client.get("/api/mobile/notifications?limit=2", headers=mine)).json()
    assert [n["title"] for n in page["items"]] == ["n2", "n1"]
    assert page["unread"] == 3
    assert page["pagination"]["pages"] == 2
    await assert_cross_user_404(
        client, "POST", f"/api/mobile/notifications/{notes[0].id}/read", mine, theirs
    )
    unread = (await client.get("/api/mobile/notifications?unreadOnly=true", headers=mine)).json()
    assert [n["title"] for n in unread["items"]] == ["n2", "n1"]
    assert (await client.post("/api/mobile/notifications/read-all", headers=mine)).json() == {
        "marked": 2
    }
    assert (await client.get("/api/mobile/notifications", headers=mine)).json()["unread"] == 0
    assert_error(
        await client.post(f"/api/mobile/notifications/{uuid.uuid4()}/read", headers=mine), 404
    )
    assert (await client.get("/api/mobile/notifications", headers=theirs)).json()["items"] == []
