"""Pipeline statistics computed in SQL (time in each stage, time-to-fill per job and per
recruiter) and the impact-ratio report over shortlists (four-fifths rule), audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings
from models import AuditLog, Candidate, Job, JobApplication, User
from models.enums import ApplicationStage, Permission
from models.pipeline import ApplicationStageChange
from tests.api.jobs.support import (
    UserFactory,
    bearer_for,
    candidate,
    job_admin,
    make_job,
    recruiter,
)
from tests.fixtures.users import assert_error

pytestmark = pytest.mark.integration

T0 = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


async def history(
    session: AsyncSession,
    user: User,
    job: Job,
    moves: list[tuple[ApplicationStage, float]],
    *,
    record_applied: bool = True,
) -> JobApplication:
    """An application created at T0 that went through ``moves`` (stage, hours after T0)."""
    application = JobApplication(
        user_id=user.id,
        job_id=job.id,
        created_at=T0,
        stage=moves[-1][0] if moves else ApplicationStage.APPLIED,
    )
    session.add(application)
    await session.flush()
    if record_applied:
        session.add(
            ApplicationStageChange(
                application_id=application.id,
                from_stage=None,
                to_stage=ApplicationStage.APPLIED,
                created_at=T0,
            )
        )
    before = ApplicationStage.APPLIED
    for stage, hours in moves:
        session.add(
            ApplicationStageChange(
                application_id=application.id,
                from_stage=before,
                to_stage=stage,
                created_at=T0 + timedelta(hours=hours),
            )
        )
        before = stage
    await session.commit()
    return application


async def test_time_in_stage_and_time_to_fill_of_a_job(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await recruiter(user_factory)
    job = await make_job(session, owner_id=owner.id, posted_at=T0 - timedelta(days=2))
    hired = await candidate(user_factory)
    await history(
        session,
        hired,
        job,
        [
            (ApplicationStage.SCREENING, 10),
            (ApplicationStage.INTERVIEW, 30),
            (ApplicationStage.HIRED, 80),
        ],
    )
    await history(
        session,
        await candidate(user_factory),
        job,
        [(ApplicationStage.SCREENING, 20), (ApplicationStage.REJECTED, 60)],
        record_applied=False,  # an application from before history rows: applied at creation
    )
    await history(session, await candidate(user_factory), job, [])  # still applied: not counted
    body = (
        await client.get(f"/api/recruiter/jobs/{job.id}/stats", headers=bearer_for(settings, owner))
    ).json()
    assert body["applicants"] == 3
    assert body["hires"] == 1
    assert body["firstHireAt"].startswith("2026-10-04T16:00")
    # Posted two days before T0, hired 80 hours after: 2 + 80/24 days.
    assert body["timeToFillDays"] == pytest.approx(2 + 80 / 24, abs=0.01)
    stages = {s["stage"]: s for s in body["stages"]}
    assert (stages["applied"]["entries"], stages["applied"]["avgHours"]) == (2, 15.0)
    assert stages["applied"]["medianHours"] == 15.0
    assert (stages["screening"]["entries"], stages["screening"]["avgHours"]) == (2, 30.0)
    assert (stages["interview"]["entries"], stages["interview"]["avgHours"]) == (1, 50.0)
    assert stages["offer"] == {
        "stage": "offer",
        "entries": 0,
        "avgHours": None,
        "medianHours": None,
    }
    assert [s["stage"] for s in body["stages"]] == [
        "applied",
        "screening",
        "interview",
        "offer",
        "hired",
        "rejected",
    ]
    other = bearer_for(settings, await recruiter(user_factory))
    assert_error(await client.get(f"/api/recruiter/jobs/{job.id}/stats", headers=other), 404)


async def test_an_unfilled_job_and_an_empty_pipeline(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await recruiter(user_factory)
    job = await make_job(session, owner_id=owner.id)
    body = (
        await client.get(f"/api/recruiter/jobs/{job.id}/stats", headers=bearer_for(settings, owner))
    ).json()
    assert (body["applicants"], body["hires"], body["timeToFillDays"]) == (0, 0, None)
    assert all(s["entries"] == 0 for s in body["stages"])
    mine = (await client.get("/api/recruiter/stats", headers=bearer_for(settings, owner))).json()
    assert mine["jobs"] == 1
    assert mine["filledJobs"] == 0
    assert mine["avgTimeToFillDays"] is None
    assert mine["medianTimeToFillDays"] is None


async def test_a_recruiters_statistics(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    owner = await recruiter(user_factory)
    fast = await make_job(session, owner_id=owner.id, posted_at=T0)
    slow = await make_job(session, owner_id=owner.id, posted_at=T0 - timedelta(days=4))
    await make_job(session, owner_id=owner.id, posted_at=T0)  # open, unfilled
    await history(session, await candidate(user_factory), fast, [(ApplicationStage.HIRED, 48)])
    await history(session, await candidate(user_factory), slow, [(ApplicationStage.HIRED, 48)])
    # Someone else's job never counts.
    await history(
        session,
        await candidate(user_factory),
        await make_job(session, owner_id=(await recruiter(user_factory)).id, posted_at=T0),
        [(ApplicationStage.HIRED, 1)],
    )
    body = (await client.get("/api/recruiter/stats", headers=bearer_for(settings, owner))).json()
    assert (body["jobs"], body["openJobs"], body["filledJobs"]) == (3, 3, 2)
    assert body["avgTimeToFillDays"] == pytest.approx(4.0)  # (2 + 6) / 2
    assert body["medianTimeToFillDays"] == pytest.approx(4.0)
    assert {s["stage"]: s["entries"] for s in body["stages"]}["applied"] == 2
    admin = bearer_for(settings, await job_admin(user_factory, Permission.MANAGE_APPLICATIONS))
    theirs = (
        await client.get(f"/api/recruiter/stats?recruiterId={owner.id}", headers=admin)
    ).json()
    assert theirs["recruiterId"] == str(owner.id)
    assert theirs["filledJobs"] == 2
    # A recruiter cannot read another's statistics.
    nosy = bearer_for(settings, await recruiter(user_factory))
    assert_error(
        await client.get(f"/api/recruiter/stats?recruiterId={owner.id}", headers=nosy), 404
    )


async def test_impact_ratio_report_flags_the_four_fifths_rule(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
) -> None:
    job = await make_job(session)
    # 10 women, 3 shortlisted (one of them later rejected: she was still selected);
    # 10 men, 5 shortlisted; 2 with no gender on file; 3 "x" (too few to judge).
    groups = [("female", 10, 3), ("male", 10, 5), (None, 2, 1), ("x", 3, 0)]
    rejected_after_screening = None
    for gender, total, shortlisted in groups:
        for i in range(total):
            user = await candidate(user_factory)
            profile = await session.get(Candidate, user.id)
            assert profile is not None
            profile.gender = gender if gender != "male" or i % 2 else " Male "
            moves = [(ApplicationStage.SCREENING, 5)] if i < shortlisted else []
            if gender == "female" and i == 0:
                moves.append((ApplicationStage.REJECTED, 9))
            application = await history(session, user, job, moves)
            if gender == "female" and i == 0:
                rejected_after_screening = application
    assert rejected_after_screening is not None
    url = f"/api/recruiter/reports/impact-ratio?jobId={job.id}&attribute=gender"
    assert_error(
        await client.get(url, headers=bearer_for(settings, await recruiter(user_factory))), 403
    )
    auditor = await job_admin(user_factory, Permission.MANAGE_APPLICATIONS)
    response = await client.get(url, headers=bearer_for(settings, auditor))
    assert response.status_code == 200, response.text
    body = response.json()
    by_group = {g["group"]: g for g in body["groups"]}
    assert body["unknown"] == 2
    assert body["referenceGroup"] == "male"
    assert (by_group["male"]["applicants"], by_group["male"]["selected"]) == (10, 5)
    assert (by_group["female"]["selected"], by_group["female"]["selectionRate"]) == (3, 0.3)
    assert by_group["female"]["impactRatio"] == pytest.approx(0.6)
    assert by_group["female"]["adverseImpact"] is True
    assert by_group["x"]["sufficientData"] is False
    assert by_group["x"]["impactRatio"] is None
    assert body["fourFifthsRuleViolated"] is True
    # Selection from the interview stage on: nobody reached it, no ratio can be drawn.
    later = (
        await client.get(url + "&selectedStage=interview", headers=bearer_for(settings, auditor))
    ).json()
    assert later["fourFifthsRuleViolated"] is False
    assert all(g["impactRatio"] is None for g in later["groups"])
    audit = (
        (await session.execute(select(AuditLog).where(AuditLog.action == "report.impact_ratio")))
        .scalars()
        .all()
    )
    assert len(audit) == 2
    assert audit[0].actor_id == auditor.id
    assert_error(
        await client.get(url + "&selectedStage=rejected", headers=bearer_for(settings, auditor)),
        409,
        "invalid_selected_stage",
    )
