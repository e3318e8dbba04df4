"""Search and match: the HTTP-facing rules around the matching engine."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from api.accounts.permissions import effective_permissions
from api.errors import BadInput, NotFound
from api.search.schemas import Facet, JobHit, JobSummary, SearchFilters
from indexing.filters import JobFilters, job_filter_clause
from matching.engine import (
    DepthExceeded,
    Match,
    MatchEngine,
    MatchPage,
    MatchQuery,
    resume_query,
)
from matching.features import CandidateProfile
from matching.profiles import profile_of_text
from models import Candidate, Job, JobApplication, Resume, User
from models.enums import ParseStatus, Permission, UserType

MAX_QUERY_CHARS = 20_000


def to_filters(f: SearchFilters) -> JobFilters:
    return JobFilters(
        city=tuple(f.city),
        country=tuple(f.country),
        job_type=tuple(f.job_type),
        work_mode=tuple(f.work_mode),
        salary_min=f.salary_min,
        salary_max=f.salary_max,
        experience_years=f.experience_years,
        language=tuple(f.language),
        posted_since=f.posted_since,
        company=tuple(f.company),
    )


async def _hits(session: AsyncSession, matches: Sequence[Match]) -> list[JobHit]:
    jobs = {
        j.id: j
        for j in (
            await session.execute(
                select(Job).options(defer(Job.embedding)).where(Job.id.in_([m.id for m in matches]))
            )
        ).scalars()
    }
    return [
        JobHit(
            job=JobSummary.model_validate(jobs[m.id]), score=m.score, explanation=m.explanation()
        )
        for m in matches
        if m.id in jobs
    ]


async def facets(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[str, list[Facet]]:
    """Counts per city and per job type over the retrieved set."""
    out: dict[str, list[Facet]] = {}
    for name, column in (("city", Job.city), ("jobType", Job.job_type)):
        rows = await session.execute(
            select(column, func.count())
            .where(Job.id.in_(list(ids)), column.is_not(None))
            .group_by(column)
            .order_by(func.count().desc(), column)
        )
        out[name] = [Facet(value=str(getattr(v, "value", v)), count=c) for v, c in rows.all()]
    return out


async def search_jobs(
    session: AsyncSession,
    engine: MatchEngine,
    q: str | None,
    filters: JobFilters,
    limit: int,
    offset: int,
) -> tuple[list[JobHit], int, dict[str, list[Facet]]]:
    """Free-text search under filters: ranked by the engine's one score for the text (the same
    score as a match for that text), newest first without ``q``."""
    if not q or not q.strip():
        total = (
            await session.execute(select(func.count()).where(job_filter_clause(filters)))
        ).scalar_one()
        rows = (
            await session.execute(
                select(Job.id)
                .where(job_filter_clause(filters))
                .order_by(Job.posted_at.desc().nulls_last(), Job.id)
                .offset(offset)
                .limit(limit)
            )
        ).scalars()
        ids = list(rows)
        hits = await _hits(session, [Match(id=i, score=0.0) for i in ids])
        return hits, int(total), await facets(session, ids)
    if len(q) > MAX_QUERY_CHARS:
        raise BadInput(
            f"The query is longer than {MAX_QUERY_CHARS} characters", code="query_too_long"
        )
    page = await _page(
        engine,
        session,
        MatchQuery(text=q, profile=search_profile(q), filters=filters, limit=limit, offset=offset),
    )
    return await _hits(session, page.items), page.total, await facets(session, page.ranked_ids)


async def _page(engine: MatchEngine, session: AsyncSession, query: MatchQuery) -> MatchPage:
    try:
        return await engine.match_page(session, query)
    except DepthExceeded as exc:
        raise BadInput(str(exc), code="page_too_deep") from exc


async def latest_resume(session: AsyncSession, user_id: uuid.UUID) -> Resume | None:
    return (
        await session.execute(
            select(Resume)
            .where(Resume.user_id == user_id, Resume.parse_status == ParseStatus.OK)
            .order_by(Resume.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def query_for_user(
    session: AsyncSession, user: User, resume: Resume | None, filters: JobFilters
) -> MatchQuery:
    """A user's CV (the latest when not given) as a query: its stored vectors and profile."""
    resume = resume or await latest_resume(session, user.id)
    if resume is None or not resume.extracted_text:
        raise NotFound("Upload a CV first: matching needs one", code="no_resume")
    return await resume_query(session, resume, filters=filters)


#: A search query this short, on one line, with no title the parser can find, is read as the
#: title wanted ("data analyst", "محلل بيانات"): its title vector then carries it to ads of that
#: title in either language.
SHORT_QUERY_WORDS = 8


def search_profile(q: str) -> CandidateProfile:
    """The profile of a search query: as a CV's, and a short one-line query is its own title."""
    profile = profile_for_text(q)
    words = q.split()
    if not profile.titles and "\n" not in q.strip() and 0 < len(words) <= SHORT_QUERY_WORDS:
        profile = replace(profile, titles=(" ".join(words),))
    return profile


def profile_for_text(text: str) -> CandidateProfile:
    """A profile from pasted or uploaded CV text, parsed as an upload would be."""
    if len(text) > MAX_QUERY_CHARS * 5:
        raise BadInput("The text is too long", code="text_too_long")
    return profile_of_text(text)


def query_for_text(text: str, filters: JobFilters) -> MatchQuery:
    """A CV given as text as a query: the engine represents it as it would a stored CV."""
    return MatchQuery(text=text, profile=profile_for_text(text), filters=filters)


async def match_jobs(
    session: AsyncSession, engine: MatchEngine, query: MatchQuery, limit: int, offset: int
) -> tuple[list[JobHit], int]:
    """One page of the jobs ranked for ``query``, and how long the ranking is."""
    page = await _page(engine, session, replace(query, limit=limit, offset=offset))
    return await _hits(session, page.items), page.total


async def ranked_applicants(
    session: AsyncSession, engine: MatchEngine, user: User, job_id: uuid.UUID
) -> list[dict[str, Any]]:
    """A job's applicants ranked by the score they see themselves. Only the job's owner (or an
    admin with MANAGE_APPLICATIONS) may look; anyone else gets the same 404 as a missing job."""
    job = await session.get(Job, job_id)
    allowed = job is not None and (
        job.owner_id == user.id
        or (
            user.user_type == UserType.ADMIN
            and Permission.MANAGE_APPLICATIONS in await effective_permissions(session, user)
        )
    )
    if job is None or not allowed:
        raise NotFound("Job not found", code="job_not_found")
    apps = (
        (
            await session.execute(
                select(JobApplication).where(
                    JobApplication.job_id == job_id, JobApplication.resume_id.is_not(None)
                )
            )
        )
        .scalars()
        .all()
    )
    by_resume = {a.resume_id: a for a in apps if a.resume_id is not None}
    ranked = await engine.rank_candidates(session, job_id, list(by_resume))
    candidates = {
        c.user_id: c
        for c in (
            await session.execute(
                select(Candidate).where(Candidate.user_id.in_([a.user_id for a in apps]))
            )
        ).scalars()
    }
    out = []
    for match in ranked:
        app = by_resume[match.id]
        cand = candidates.get(app.user_id)
        out.append(
            {
                "applicationId": app.id,
                "candidateId": app.user_id,
                "resumeId": match.id,
                "stage": app.stage.value,
                "score": match.score,
                "explanation": match.explanation(),
                # Professional facts only: no gender, nationality, age or photo.
                "city": cand.city if cand else None,
                "yearsExperience": cand.years_experience if cand else None,
                "desiredPositions": list(cand.desired_positions) if cand else [],
            }
        )
    return out
