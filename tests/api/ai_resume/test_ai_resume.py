"""The AI CV builder at /api/ai-resume/*: queued builds with status and progress, section by
section rewriting that never adds an employer, date, degree or skill, ownership, export.

The language model is faked at the HTTP boundary (``FakeProvider``: an ``httpx.MockTransport``
under the real OpenAI SDK), because no local server speaks for one. The fake "model" below
answers by the part of the CV it is asked about, and deliberately invents facts where a real
model might, so the builder's refusals are exercised.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.ai_resume import service
from api.integrations.llm import LlmClient, UsageRecord
from api.resumes.settings import CvSettings
from models import AiEmploymentHistory, AiSkill, Candidate, Task, User
from tests.api.resumes.support import FakeProvider, UserFactory, llm_usage, unconfigured_llm
from tests.fixtures.users import assert_cross_user_404, assert_error

pytestmark = pytest.mark.integration

Headers = Callable[[User], dict[str, str]]
BASE = "/api/ai-resume"
CV = """Amal Haddad
Senior Data Analyst | Dubai, UAE
Email: amal.haddad@example.com | Phone: 050 123 4567

SUMMARY
Data analyst with 8 years of experience in SQL and Python.

EXPERIENCE
Senior Data Analyst — Falcon Analytics LLC
Jan 2020 – Present
- built dashboards in Power BI for 12 regional managers
- automated weekly reporting with Python

Data Analyst — Emirates Retail Group
Mar 2016 – Dec 2019
- cleaned sales data with SQL

EDUCATION
Bachelor of Science in Statistics — American University of Sharjah, 2014

SKILLS
SQL, Python, Power BI
"""


def inventive_model(body: dict[str, Any]) -> str:
    """Fake model: the summary always claims an employer and a year the CV lacks; job
    descriptions are reworded faithfully; the skill list gains Kubernetes."""
    system = body["messages"][0]["content"]
    part = json.loads(body["messages"][1]["content"])["PART"]
    if "professional summary" in system:
        return json.dumps(
            {"summary": "Data analyst, formerly at Deloitte Middle East Group since 2009."}
        )
    if "describes the job" in system:
        lines = [line.strip("- ").strip() for line in part.split(" - ") if line.strip("- ")]
        return json.dumps({"description": "\n".join(f"- {line.capitalize()}" for line in lines)})
    return json.dumps({"skills": ["Power BI", "Kubernetes", "SQL"]})


async def _resume(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post(
        "/api/mobile/resumes",
        headers=headers,
        files={"file": ("cv.txt", CV.encode(), "text/plain")},
    )
    assert response.status_code == 201, response.text
    rid: str = response.json()["id"]
    return rid


async def _build(session: AsyncSession, llm: LlmClient, ai_id: str) -> dict[str, Any]:
    """What the worker runs for the queued task (its commit-per-step is the test's savepoint)."""
    records: list[UsageRecord] = []

    async def sink(record: UsageRecord) -> None:
        records.append(record)

    result = await service.run_build(
        session, llm, sink, CvSettings(), uuid.UUID(ai_id), publish=session.commit
    )
    await session.commit()
    return result


async def test_without_a_model_creation_is_a_503(
    client: httpx.AsyncClient, user_factory: UserFactory, headers_for: Headers
) -> None:
    alice = await user_factory()
    response = await client.post(f"{BASE}/create", headers=headers_for(alice), json={})
    assert_error(response, 503, "llm_not_configured")


async def test_build_improves_wording_and_refuses_invented_facts(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(inventive_model)  # fake provider: see the module docstring
    llm_holder["client"] = provider.client()
    alice = await user_factory(name="Amal Haddad")
    me = headers_for(alice)
    rid = await _resume(client, me)
    created = await client.post(
        f"{BASE}/create", headers=me, json={"resumeId": rid, "targetRole": "Data Scientist"}
    )
    assert created.status_code == 202, created.text
    ai = created.json()
    assert (ai["status"], ai["progress"], ai["cv"]) == ("pending", 0, None)
    assert ai["sourceResumeId"] == rid
    task = (await session.execute(select(Task).where(Task.kind == service.TASK_KIND))).scalar_one()
    assert task.payload == {"ai_resume_id": ai["id"]}

    assert (await _build(session, llm_holder["client"], ai["id"])) == {
        "status": "completed",
        "rejected": 2,
    }
    done = (await client.get(f"{BASE}/{ai['id']}", headers=me)).json()
    assert (done["status"], done["progress"]) == ("completed", 100)
    cv = done["cv"]
    # The summary invented an employer and a year twice (answer and repair): original kept.
    assert cv["summary"] == "Data analyst with 8 years of experience in SQL and Python."
    assert "Deloitte" not in json.dumps(cv)
    # Descriptions were reworded without new facts: accepted.
    assert cv["employment"][0]["description"].startswith(
        "- Built dashboards in power bi for 12 regional managers"
    )
    # Structure copied from the source, never from the model.
    assert [j["company"] for j in cv["employment"]] == [
        "Falcon Analytics LLC",
        "Emirates Retail Group",
    ]
    assert [j["start"] for j in cv["employment"]] == ["2020-01", "2016-03"]
    assert cv["education"][0]["degree"] == "Bachelor of Science in Statistics"
    # Kubernetes is not the candidate's: dropped; the chosen order kept; Python not lost.
    assert [s["name"] for s in cv["skills"]][:2] == ["Power BI", "SQL"]
    assert "Kubernetes" not in [s["name"] for s in cv["skills"]]
    assert "Python" in [s["name"] for s in cv["skills"]]
    reasons = {(r["section"], r["value"]) for r in done["rejected"]}
    assert ("skills", "Kubernetes") in reasons
    assert ("summary", None) in reasons
    assert done["model"] == "test-model"

    summary_repair = [
        r for r in provider.requests if "professional summary" in r["messages"][0]["content"]
    ][1]
    assert "Deloitte Middle East Group" in summary_repair["messages"][-1]["content"]
    # The seed's child tables mirror the result.
    employers = (
        (
            await session.execute(
                select(AiEmploymentHistory.employer)
                .where(AiEmploymentHistory.ai_resume_id == uuid.UUID(ai["id"]))
                .order_by(AiEmploymentHistory.position)
            )
        )
        .scalars()
        .all()
    )
    assert employers == ["Falcon Analytics LLC", "Emirates Retail Group"]
    skills = (
        (
            await session.execute(
                select(AiSkill.name).where(AiSkill.ai_resume_id == uuid.UUID(ai["id"]))
            )
        )
        .scalars()
        .all()
    )
    assert "Kubernetes" not in skills

    pdf = await client.post(f"{BASE}/{ai['id']}/export/pdf", headers=me)
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"


async def test_improve_one_section_with_instructions(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    faithful = FakeProvider(  # fake provider: a faithful summary this time
        lambda body: (
            json.dumps(
                {"summary": "Senior data analyst with 8 years of SQL and Python experience."}
            )
            if "professional summary" in body["messages"][0]["content"]
            else inventive_model(body)
        )
    )
    llm_holder["client"] = faithful.client()
    alice = await user_factory()
    me = headers_for(alice)
    rid = await _resume(client, me)
    ai = (await client.post(f"{BASE}/create", headers=me, json={"resumeId": rid})).json()
    busy = await client.post(f"{BASE}/{ai['id']}/improve", headers=me, json={"section": "summary"})
    assert_error(busy, 409, "ai_resume_busy")
    await _build(session, llm_holder["client"], ai["id"])
    improved = await client.post(
        f"{BASE}/{ai['id']}/improve",
        headers=me,
        json={"section": "summary", "instructions": "mention the years"},
    )
    assert improved.status_code == 200, improved.text
    assert improved.json()["cv"]["summary"].startswith("Senior data analyst with 8 years")
    last = json.loads(faithful.requests[-1]["messages"][1]["content"])
    assert last["CANDIDATE_INSTRUCTIONS"] == "mention the years"
    bad_index = await client.post(
        f"{BASE}/{ai['id']}/improve", headers=me, json={"section": "employment", "index": 9}
    )
    assert_error(bad_index, 400, "no_such_job")


async def test_a_build_whose_provider_is_down_fails_and_can_be_retried(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    down = FakeProvider(lambda _: httpx.Response(503, json={"error": {}}))
    llm_holder["client"] = down.client(max_retries=0)  # fake provider, down
    alice = await user_factory()
    me = headers_for(alice)
    rid = await _resume(client, me)
    ai = (await client.post(f"{BASE}/create", headers=me, json={"resumeId": rid})).json()
    result = await _build(session, llm_holder["client"], ai["id"])
    assert result["status"] == "failed"
    failed = (await client.get(f"{BASE}/{ai['id']}", headers=me)).json()
    assert failed["status"] == "failed"
    assert "did not answer" in failed["error"]
    assert failed["cv"] is None
    not_ready = await client.post(f"{BASE}/{ai['id']}/export/word", headers=me)
    assert_error(not_ready, 409, "ai_resume_not_ready")
    retried = await client.post(f"{BASE}/{ai['id']}/retry", headers=me)
    assert retried.status_code == 202, retried.text
    assert retried.json()["status"] == "pending"
    assert_error(await client.post(f"{BASE}/{ai['id']}/retry", headers=me), 409)


async def test_from_the_profile_alone(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(  # fake provider: a summary grounded in the profile
        lambda _: json.dumps({"summary": "Accountant with 5 years of experience in Dubai."})
    )
    llm_holder["client"] = provider.client()
    alice = await user_factory(name="Sara Ali")
    candidate = await session.get(Candidate, alice.id)
    assert candidate is not None
    candidate.city, candidate.years_experience = "Dubai", 5
    candidate.desired_positions = ["Accountant"]
    await session.commit()
    me = headers_for(alice)
    assert_error(
        await client.post(f"{BASE}/create", headers=me, json={"useProfile": False}),
        400,
        "nothing_to_build",
    )
    ai = (await client.post(f"{BASE}/create", headers=me, json={})).json()
    await _build(session, llm_holder["client"], ai["id"])
    cv = (await client.get(f"{BASE}/{ai['id']}", headers=me)).json()["cv"]
    assert cv["personal"]["name"] == "Sara Ali"
    assert cv["personal"]["email"] == alice.email
    assert cv["summary"] == "Accountant with 5 years of experience in Dubai."
    assert cv["employment"] == []


async def test_ownership_listing_usage_and_delete(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    llm_holder: dict[str, LlmClient],
) -> None:
    provider = FakeProvider(inventive_model)  # fake provider: see the module docstring
    llm_holder["client"] = provider.client()
    alice, bob = await user_factory(), await user_factory()
    owner, other = headers_for(alice), headers_for(bob)
    rid = await _resume(client, owner)
    ai = (await client.post(f"{BASE}/create", headers=owner, json={"resumeId": rid})).json()
    # Bob may not build from Alice's CV either.
    stolen = await client.post(f"{BASE}/create", headers=other, json={"resumeId": rid})
    assert_error(stolen, 404, "resume_not_found")
    await assert_cross_user_404(client, "GET", f"{BASE}/{ai['id']}", owner, other)
    listed = (await client.get(BASE, headers=owner)).json()
    assert [i["id"] for i in listed["items"]] == [ai["id"]]
    assert listed["pagination"]["total"] == 1
    assert (await client.get(BASE, headers=other)).json()["items"] == []

    # Usage goes through the app's own sink (rows of the requests' user); the build above
    # used the test's own sink, so only the improvement counts.
    await _build(session, llm_holder["client"], ai["id"])
    improve = await client.post(
        f"{BASE}/{ai['id']}/improve", headers=owner, json={"section": "skills"}
    )
    assert improve.status_code == 200, improve.text
    usage = (await client.get(f"{BASE}/usage", headers=owner)).json()
    assert usage["requests"] == 1
    assert usage["promptTokens"] == 1000
    assert usage["byFeature"][0]["feature"] == "ai_resume"
    assert (await client.get(f"{BASE}/usage", headers=other)).json()["requests"] == 0

    await assert_cross_user_404(client, "DELETE", f"{BASE}/{ai['id']}", owner, other)
    assert_error(await client.get(f"{BASE}/{ai['id']}", headers=owner), 404)
    llm_holder["client"] = unconfigured_llm()


async def test_the_worker_task_builds_and_records_usage(
    client: httpx.AsyncClient,
    user_factory: UserFactory,
    headers_for: Headers,
    session: AsyncSession,
    app_state: Any,
    llm_holder: dict[str, LlmClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.ai_resume import tasks

    provider = FakeProvider(inventive_model)  # fake provider: see the module docstring
    llm_holder["client"] = provider.client()
    # The task builds its client from the environment; here it gets the fake one instead.
    monkeypatch.setattr(tasks, "get_llm_client", lambda: llm_holder["client"])
    monkeypatch.setattr(tasks, "get_cv_settings", lambda: CvSettings())
    alice = await user_factory()
    me = headers_for(alice)
    rid = await _resume(client, me)
    ai = (await client.post(f"{BASE}/create", headers=me, json={"resumeId": rid})).json()
    result = await tasks.build_ai_resume_task(session, app_state, {"ai_resume_id": ai["id"]})
    assert result["status"] == "completed"
    rows = await llm_usage(session, alice)
    assert len(rows) == len(provider.requests)
    assert {r.feature for r in rows} == {"ai_resume"}
    assert {r.status for r in rows} == {"ok", "invalid_output"}  # the summary was refused


def test_openapi_documents_the_routes(app: Any) -> None:
    paths = app.openapi()["paths"]
    for path in (
        "/api/mobile/resumes",
        "/api/mobile/resumes/{resume_id}/export/pdf",
        "/api/mobile/resumes/{resume_id}/translate",
        "/api/v1/resume/resume/format",
        "/api/v1/resume/resume/format-cv-object",
        "/api/ai-resume/create",
        "/api/ai-resume/{ai_resume_id}",
    ):
        assert path in paths, path
    assert "503" in paths["/api/ai-resume/create"]["post"]["responses"]
