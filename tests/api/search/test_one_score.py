"""One CV, one job, one score: every screen that shows a score shows the engine's for the pair.

Free text, an uploaded file, the stored CV, the recommended list, the home recommendations, a
text search, the recruiter's applicant list, the apply guard and the overnight batch all go
through one representation of the CV and one scoring function.
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.indexer import refresh_indexes
from api.settings import ApiSettings
from api.state import AppState
from ingestion.cv_parser import parse_cv
from matching.batch import BatchSettings, recommendations_for, refresh_recommendations
from models import Candidate, Resume
from models.enums import UserType
from tests.fixtures.users import auth_headers, make_user

pytestmark = pytest.mark.integration
CV = (
    "Omar Khalil\nData Analyst | Dubai\n\nEXPERIENCE\nData Analyst — Gulf Horizon Bank\n"
    "Mar 2020 – Present\nSQL and Python reporting, Power BI dashboards.\n\nSKILLS\n"
    "Python, SQL, Power BI\n"
)


def _score_of(items: list[dict[str, object]], job_id: str) -> float:
    (score,) = [i["score"] for i in items if i["job"]["id"] == job_id]  # type: ignore[index]
    assert isinstance(score, float)
    return score


async def test_the_same_pair_scores_the_same_on_every_screen(
    client: httpx.AsyncClient,
    session: AsyncSession,
    app_state: AppState,
    settings: ApiSettings,
    job_factory,
) -> None:  # type: ignore[no-untyped-def]
    recruiter = await make_user(session, settings.auth, user_type=UserType.RECRUITER)
    job = await job_factory(
        embedded=False,
        title="Business Intelligence Analyst",
        city="Dubai",
        skills=["SQL", "Python", "Tableau"],
        description="Reporting and dashboards for a retail group; SQL, Python and Tableau.",
        owner_id=recruiter.id,
    )
    await job_factory(
        embedded=False, title="Staff Nurse", city="Dubai", description="Ward nursing."
    )
    seeker = await make_user(session, settings.auth)
    candidate = await session.get(Candidate, seeker.id)
    assert candidate is not None
    candidate.desired_locations = ["Dubai"]
    resume = Resume(
        user_id=seeker.id,
        file_name="cv.txt",
        mime_type="text/plain",
        size_bytes=len(CV),
        sha256="b" * 64,
        extracted_text=CV,
        parsed=parse_cv(CV).model_dump(mode="json"),  # as an upload parses it
        parse_status="ok",
    )
    session.add(resume)
    await session.commit()
    await refresh_indexes(session, app_state.embedder, app_state.lexical)
    await session.commit()
    job_id = str(job.id)
    seen: dict[str, float] = {}
    headers = await auth_headers(client, seeker)

    stored = await client.post(
        "/api/v1/match/jobs", json={"resumeId": str(resume.id)}, headers=headers
    )
    seen["stored CV"] = _score_of(stored.json()["items"], job_id)
    text = await client.post("/api/v1/match/jobs", json={"text": CV}, headers=headers)
    seen["free text"] = _score_of(text.json()["items"], job_id)
    upload = await client.post(
        "/api/v1/match/jobs/upload",
        files={"file": ("cv.txt", CV.encode(), "text/plain")},
        headers=headers,
    )
    assert upload.status_code == 200, upload.text
    seen["uploaded file"] = _score_of(upload.json()["items"], job_id)
    recommended = await client.get("/api/mobile/jobs/recommended", headers=headers)
    seen["recommended"] = _score_of(recommended.json()["items"], job_id)
    home = await client.get("/api/mobile/home/recommendations", headers=headers)
    assert home.json()["basis"] == "resume"
    seen["home"] = _score_of(home.json()["items"], job_id)
    search = await client.get("/api/v1/search/jobs", params={"q": CV})
    seen["search"] = _score_of(search.json()["items"], job_id)

    applied = await client.post(
        f"/api/v1/resume/jobs/{job_id}/apply", json={"resume_id": str(resume.id)}, headers=headers
    )
    assert applied.status_code == 201, applied.text
    seen["apply guard"] = applied.json()["matched_score"]
    ranked = await client.get(
        f"/api/v1/jobs/{job_id}/candidates", headers=await auth_headers(client, recruiter)
    )
    (applicant,) = ranked.json()
    seen["recruiter's applicants"] = applicant["score"]

    await refresh_recommendations(
        session,
        app_state.embedder.model_id,
        settings=BatchSettings(notify_max_per_user=0, top_n=10, pool=50),
    )
    page = await recommendations_for(session, seeker.id, limit=10)
    (batch,) = [i.score for i in page.items if str(i.job.id) == job_id]
    seen["batch"] = batch

    assert len(set(seen.values())) == 1, seen
    # The explanation agrees with itself: every skill counted as matched is not also missing.
    explanation = stored.json()["items"][0]["explanation"]
    assert not set(explanation["matchedSkills"]) & set(explanation["missingSkills"])
