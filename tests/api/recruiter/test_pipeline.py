"""The recruiter's workflow: a ranked applicant list of their own jobs only (public candidate
view; blind review hides who they are), pipeline moves with history and notifications, bulk
moves, notes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.settings import ApiSettings
from indexing.embedder import HashingEmbedder
from models import Candidate, Job, JobApplication, Notification, Resume, User
from models.enums import ApplicationStage, Permission
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


async def apply_with_cv(
    session: AsyncSession, user: User, job: Job, cv: str, **profile: object
) -> JobApplication:
    embedder = HashingEmbedder()
    resume = Resume(
        user_id=user.id,
        file_name="cv.txt",
        mime_type="text/plain",
        size_bytes=len(cv),
        sha256=uuid.uuid4().hex * 2,
        extracted_text=cv,
        embedding=embedder.embed([cv])[0].tolist(),
        embedding_model=embedder.model_id,
    )
    session.add(resume)
    await session.flush()
    candidate_row = await session.get(Candidate, user.id)
    assert candidate_row is not None
    for name, value in profile.items():
        setattr(candidate_row, name, value)
    application = JobApplication(user_id=user.id, job_id=job.id, resume_id=resume.id)
    session.add(application)
    await session.commit()
    return application


@pytest.fixture
async def scene(
    user_factory: UserFactory, session: AsyncSession
) -> tuple[User, Job, list[JobApplication]]:
    """A recruiter's data analyst job with three applicants: a strong, a middling and a weak
    match (the weak one applied first)."""
    owner = await recruiter(user_factory)
    job = await make_job(
        session,
        owner_id=owner.id,
        title="Data Analyst",
        description="Analyse data with SQL and Python; build dashboards in Tableau.",
        skills=["SQL", "Python", "Tableau"],
    )
    weak = await candidate(user_factory, name="Waleed Weak")
    mid = await candidate(user_factory, name="Mona Middle")
    strong = await candidate(user_factory, name="Sara Strong")
    applications = [
        await apply_with_cv(
            session,
            weak,
            job,
            "Chef. Grill station, pastry, kitchen hygiene.",
            gender="male",
            nationality="Egyptian",
        ),
        await apply_with_cv(
            session,
            mid,
            job,
            "Analyst working with Excel and some SQL.",
            city="Sharjah",
            gender="female",
        ),
        await apply_with_cv(
            session,
            strong,
            job,
            "Data Analyst. Analyse data with SQL and Python; build dashboards in Tableau.",
            city="Dubai",
            years_experience=5,
            gender="female",
            nationality="Emirati",
        ),
    ]
    return owner, job, applications


async def test_the_applicant_list_is_ranked_by_fit_and_shows_only_the_public_view(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    owner, job, (weak, mid, strong) = scene
    response = await client.get(
        f"/api/recruiter/jobs/{job.id}/applicants", headers=bearer_for(settings, owner)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["blind"] is False
    assert [a["applicationId"] for a in body["items"]] == [
        str(strong.id),
        str(mid.id),
        str(weak.id),
    ]
    assert [a["rank"] for a in body["items"]] == [1, 2, 3]
    scores = [a["score"] for a in body["items"]]
    assert scores == sorted(scores, reverse=True)
    top = body["items"][0]
    assert top["displayName"] == "Sara Strong"
    assert top["email"].endswith("@example.com")
    # Taxonomy labels, e.g. "Python (computer programming)", in the job's order.
    matched = top["explanation"]["matched_skills"]
    assert [m.split(" (")[0] for m in matched] == ["SQL", "Python", "Tableau"]
    assert top["candidate"]["city"] == "Dubai"
    assert top["candidate"]["yearsExperience"] == 5
    text = response.text.lower()
    for protected in (
        "gender",
        "nationality",
        "emirati",
        "egyptian",
        "female",
        "dateofbirth",
        "phone",
    ):
        assert protected not in text
    page_two = (
        await client.get(
            f"/api/recruiter/jobs/{job.id}/applicants?limit=2&page=2",
            headers=bearer_for(settings, owner),
        )
    ).json()
    assert [a["rank"] for a in page_two["items"]] == [3]
    assert page_two["pagination"] == {"page": 2, "limit": 2, "total": 3, "pages": 2}


async def test_blind_review_hides_who_applicants_are(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    session: AsyncSession,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    owner, job, applications = scene
    headers = bearer_for(settings, owner)
    blind = (
        await client.get(f"/api/recruiter/jobs/{job.id}/applicants?blind=true", headers=headers)
    ).json()
    assert blind["blind"] is True
    for item in blind["items"]:
        assert item["displayName"].startswith("Applicant ")
        assert item["email"] is None
        assert item["resumeId"] is None
        assert item["candidate"]["userId"] is None
    assert "Sara" not in str(blind)
    assert "example.com" not in str(blind)
    # A job under blind review cannot be un-blinded per request.
    job.blind_review = True
    await session.commit()
    forced = (await client.get(f"/api/recruiter/jobs/{job.id}/applicants", headers=headers)).json()
    assert forced["blind"] is True
    detail = (
        await client.get(f"/api/recruiter/applications/{applications[2].id}", headers=headers)
    ).json()
    assert detail["email"] is None
    assert detail["displayName"].startswith("Applicant ")


async def test_recruiters_see_only_their_own_jobs_applicants(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    _owner, job, applications = scene
    other = bearer_for(settings, await recruiter(user_factory))
    assert_error(await client.get(f"/api/recruiter/jobs/{job.id}/applicants", headers=other), 404)
    assert_error(
        await client.get(f"/api/recruiter/applications/{applications[0].id}", headers=other), 404
    )
    assert_error(
        await client.post(
            f"/api/recruiter/applications/{applications[0].id}/stage",
            json={"stage": "rejected"},
            headers=other,
        ),
        404,
    )
    assert_error(
        await client.get(f"/api/recruiter/applications/{applications[0].id}/notes", headers=other),
        404,
    )
    seeker = bearer_for(settings, await candidate(user_factory))
    assert_error(
        await client.get(f"/api/recruiter/jobs/{job.id}/applicants", headers=seeker),
        403,
        "wrong_user_type",
    )
    clerk = bearer_for(settings, await job_admin(user_factory, Permission.MANAGE_JOBS))
    assert_error(
        await client.get(f"/api/recruiter/jobs/{job.id}/applicants", headers=clerk),
        403,
        "permission_required",
    )
    auditor = bearer_for(settings, await job_admin(user_factory, Permission.MANAGE_APPLICATIONS))
    assert (
        await client.get(f"/api/recruiter/jobs/{job.id}/applicants", headers=auditor)
    ).status_code == 200


async def test_stage_moves_are_recorded_and_told_to_the_candidate(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    session: AsyncSession,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    owner, _job, (_, _, strong) = scene
    headers = bearer_for(settings, owner)
    url = f"/api/recruiter/applications/{strong.id}/stage"
    for stage in ("screening", "interview"):
        moved = await client.post(url, json={"stage": stage, "reason": "good fit"}, headers=headers)
        assert moved.status_code == 200, moved.text
        assert moved.json()["changed"] is True
    same = (await client.post(url, json={"stage": "interview"}, headers=headers)).json()
    assert same == {
        "applicationId": str(strong.id),
        "fromStage": "interview",
        "toStage": "interview",
        "changed": False,
    }
    assert_error(
        await client.post(url, json={"stage": "applied"}, headers=headers),
        409,
        "invalid_stage_transition",
    )
    assert (await client.post(url, json={"stage": "hired"}, headers=headers)).status_code == 200
    assert_error(
        await client.post(url, json={"stage": "rejected"}, headers=headers),
        409,
        "invalid_stage_transition",
    )
    detail = (await client.get(f"/api/recruiter/applications/{strong.id}", headers=headers)).json()
    assert [(h["fromStage"], h["toStage"]) for h in detail["history"]] == [
        ("applied", "screening"),
        ("screening", "interview"),
        ("interview", "hired"),
    ]
    assert {h["changedById"] for h in detail["history"]} == {str(owner.id)}
    assert detail["history"][0]["reason"] == "good fit"
    told = (
        (
            await session.execute(
                select(Notification)
                .where(Notification.user_id == strong.user_id)
                .order_by(Notification.created_at)
            )
        )
        .scalars()
        .all()
    )
    assert [n.data["toStage"] for n in told if n.data] == ["screening", "interview", "hired"]
    # The candidate sees the same history, without who moved it or why.
    mine = await client.get(
        f"/api/mobile/applications/{strong.id}",
        headers=bearer_for(settings, await session.get(User, strong.user_id)),  # type: ignore[arg-type]
    )
    assert [h["toStage"] for h in mine.json()["history"]] == ["screening", "interview", "hired"]
    assert "changedById" not in mine.text
    assert "good fit" not in mine.text


async def test_rejected_applicants_may_be_reconsidered(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    owner, _, (weak, _, _) = scene
    headers = bearer_for(settings, owner)
    url = f"/api/recruiter/applications/{weak.id}/stage"
    assert (await client.post(url, json={"stage": "rejected"}, headers=headers)).status_code == 200
    assert_error(await client.post(url, json={"stage": "hired"}, headers=headers), 409)
    back = await client.post(url, json={"stage": "screening"}, headers=headers)
    assert back.json()["fromStage"] == "rejected"


async def test_bulk_stage_changes_report_each_application(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    session: AsyncSession,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    owner, _job, (weak, mid, strong) = scene
    headers = bearer_for(settings, owner)
    await client.post(
        f"/api/recruiter/applications/{strong.id}/stage", json={"stage": "offer"}, headers=headers
    )
    # An application of another recruiter's job is reported like a missing one.
    foreign_job = await make_job(session, owner_id=(await recruiter(user_factory)).id)
    foreign = JobApplication(user_id=weak.user_id, job_id=foreign_job.id)
    session.add(foreign)
    await session.commit()
    result = await client.post(
        "/api/recruiter/applications/bulk-stage",
        json={
            "applicationIds": [str(weak.id), str(mid.id), str(strong.id), str(foreign.id)],
            "stage": "screening",
        },
        headers=headers,
    )
    assert result.status_code == 200, result.text
    body = result.json()
    assert {u["applicationId"] for u in body["updated"]} == {str(weak.id), str(mid.id)}
    assert {(f["applicationId"], f["code"]) for f in body["failed"]} == {
        (str(strong.id), "invalid_stage_transition"),
        (str(foreign.id), "application_not_found"),
    }
    stages = {
        a.id: a.stage
        for a in (
            await session.execute(select(JobApplication).execution_options(populate_existing=True))
        ).scalars()
    }
    assert stages[weak.id] == stages[mid.id] == ApplicationStage.SCREENING
    assert stages[strong.id] == ApplicationStage.OFFER
    assert stages[foreign.id] == ApplicationStage.APPLIED
    too_many = await client.post(
        "/api/recruiter/applications/bulk-stage",
        json={"applicationIds": [str(uuid.uuid4())] * 201, "stage": "screening"},
        headers=headers,
    )
    assert_error(too_many, 422)


async def test_notes_are_kept_per_application(
    client: httpx.AsyncClient,
    settings: ApiSettings,
    user_factory: UserFactory,
    scene: tuple[User, Job, list[JobApplication]],
) -> None:
    owner, _, (_, mid, _) = scene
    headers = bearer_for(settings, owner)
    url = f"/api/recruiter/applications/{mid.id}/notes"
    for body in ("First call went well.", "Wants Sharjah only."):
        made = await client.post(url, json={"body": body}, headers=headers)
        assert made.status_code == 201, made.text
        assert made.json()["authorId"] == str(owner.id)
    listed = (await client.get(url, headers=headers)).json()
    assert [n["body"] for n in listed["items"]] == ["Wants Sharjah only.", "First call went well."]
    assert listed["pagination"]["total"] == 2
    assert_error(await client.post(url, json={"body": ""}, headers=headers), 422)
    assert_error(await client.post(url, json={"body": "x" * 5001}, headers=headers), 422)
