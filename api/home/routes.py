"""The candidate home (/api/mobile/home/*) and notifications (/api/mobile/notifications)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from api.applications import repository as applications
from api.applications.explanation import supported_explanation
from api.applications.matching_port import MatchPortDep, MatchResult
from api.applications.reposts import AppliedJobs
from api.applications.schemas import JobSummary, MobileApplication, MobileJobSummary
from api.applications.service import location_filters
from api.deps import CandidateUser, CurrentUser, SessionDep
from api.home import notifications, repository
from api.home.schemas import (
    Analytics,
    ApplicationCounts,
    CityDemand,
    Credits,
    Dashboard,
    MarketInsights,
    MonthCount,
    NotificationList,
    NotificationOut,
    ReadAllOut,
    Recommendation,
    RecommendationList,
    SalaryRange,
    SkillCityDemand,
    SkillDemand,
    TrendingJob,
    TrendingList,
)
from api.jobs.repository import open_condition
from api.jobs.schemas import page_of
from api.jobs.settings import JobsSettings, get_jobs_settings
from indexing.filters import JobFilters
from ingestion.jobs import normalise_city
from models import Job, Notification

router = APIRouter(tags=["home"])

JobsSettingsDep = Annotated[JobsSettings, Depends(get_jobs_settings)]
#: Recommendations are drawn from the best this many jobs, then paged.
RECOMMENDATION_POOL = 100


def _mobile_job(job: Job) -> MobileJobSummary:
    return MobileJobSummary(**JobSummary.of(job).model_dump())


@router.get("/api/mobile/home/dashboard", response_model=Dashboard, summary="My dashboard")
async def dashboard(session: SessionDep, me: CandidateUser) -> Dashboard:
    """Your applications per stage, saved jobs, CVs, unread notifications, credits, how
    complete your profile is, and your latest applications."""
    by_stage = await applications.counts_by_stage(session, me.id)
    candidate = await repository.candidate(session, me.id)
    resumes = await repository.resumes(session, me.id)
    facts = [
        bool(candidate and candidate.city),
        bool(candidate and candidate.desired_positions),
        bool(candidate and candidate.desired_locations),
        candidate is not None and candidate.years_experience is not None,
        candidate is not None and candidate.salary_expectation is not None,
        resumes > 0,
    ]
    recent, _ = await applications.list_for_user(session, me.id, None, 0, 5)
    return Dashboard(
        applications=ApplicationCounts(total=sum(by_stage.values()), by_stage=by_stage),
        saved_jobs=await repository.saved_jobs(session, me.id),
        resumes=resumes,
        unread_notifications=await notifications.unread_count(session, me.id),
        credits=Credits(
            ai_job_apply_count=candidate.ai_job_apply_count if candidate else 0,
            job_count=candidate.job_count if candidate else 0,
        ),
        profile_completeness=round(100 * sum(facts) / len(facts)),
        recent_applications=[MobileApplication.of(a, j) for a, j in recent],
    )


@router.get("/api/mobile/home/trending", response_model=TrendingList, summary="Trending jobs")
async def trending(
    session: SessionDep,
    _: CurrentUser,
    days: Annotated[int, Query(ge=1, le=90, description="Look-back window")] = 7,
    city: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> TrendingList:
    """Open jobs people applied to and saved most in the last `days` days."""
    ref = normalise_city(city) if city else None
    city_name = ref.city if ref is not None and ref.city else city
    since = datetime.now(UTC) - timedelta(days=days)
    rows, total = await repository.trending(session, since, city_name, (page - 1) * limit, limit)
    return TrendingList(
        items=[TrendingJob(job=_mobile_job(j), applications=a, saves=s) for j, a, s in rows],
        pagination=page_of(page, limit, total),
    )


@router.get(
    "/api/mobile/home/recommendations",
    response_model=RecommendationList,
    summary="Jobs recommended for me",
)
async def recommendations(
    session: SessionDep,
    me: CandidateUser,
    port: MatchPortDep,
    page: Annotated[int, Query(ge=1, le=RECOMMENDATION_POOL)] = 1,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> RecommendationList:
    """Open jobs ranked for your latest CV (or your desired positions) in your desired
    locations, leaving out jobs you applied to; each with its score and why."""
    candidate = await repository.candidate(session, me.id)
    positions = list(candidate.desired_positions) if candidate else []
    locations = list(candidate.desired_locations) if candidate else []
    resume = await applications.latest_resume(session, me.id)
    cv_text = (resume.extracted_text or "").strip() if resume is not None else ""
    basis: Literal["resume", "profile", "none"] = (
        "resume" if cv_text else ("profile" if positions else "none")
    )
    if basis == "none":
        return RecommendationList(basis=basis, items=[], pagination=page_of(page, limit, 0))
    years = candidate.years_experience if candidate else None
    best: dict[uuid.UUID, MatchResult] = {}
    for f in location_filters(locations):
        scoped = JobFilters(city=f.city, country=f.country, experience_years=years)
        if basis == "resume" and resume is not None:
            found = await port.find_jobs_for_resume(session, resume, scoped, RECOMMENDATION_POOL)
        else:
            found = await port.find_jobs_for_text(
                session, "\n".join(positions), scoped, RECOMMENDATION_POOL
            )
        for result in found:
            if result.job_id is not None and (
                result.job_id not in best or best[result.job_id].score < result.score
            ):
                best[result.job_id] = result
    applied = await AppliedJobs.load(session, me.id)
    ranked = sorted(
        (r for job_id, r in best.items() if job_id not in applied.ids),
        key=lambda r: (-r.score, str(r.job_id)),
    )[:RECOMMENDATION_POOL]
    window = ranked[(page - 1) * limit : page * limit]
    jobs = {
        job.id: job
        for job in (
            await session.execute(
                select(Job).where(Job.id.in_([r.job_id for r in window]), open_condition())
            )
        ).scalars()
    }
    items = [
        Recommendation(
            job=_mobile_job(jobs[r.job_id]),
            score=round(r.score, 4),
            explanation=supported_explanation(r.explanation, cv_text, jobs[r.job_id].skills),
        )
        for r in window
        if r.job_id in jobs
    ]
    return RecommendationList(
        basis=basis, items=items, pagination=page_of(page, limit, len(ranked))
    )


@router.get("/api/mobile/home/analytics", response_model=Analytics, summary="My analytics")
async def analytics(
    session: SessionDep,
    me: CandidateUser,
    settings: JobsSettingsDep,
    months: Annotated[int, Query(ge=1, le=24)] = 6,
) -> Analytics:
    """Your applications per month (platform time zone), per stage and origin, how many a
    recruiter responded to, and your mean match score."""
    zone = settings.time_zone
    today = datetime.now(ZoneInfo(zone)).date()
    start = repository.months_back(today, months)
    per_month = await repository.applications_per_month(session, me.id, start, zone)
    series: list[MonthCount] = []
    cursor = start
    for _ in range(months):
        series.append(MonthCount(month=cursor.strftime("%Y-%m"), count=per_month.get(cursor, 0)))
        cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    total, responded, mean_score, origins = await repository.own_application_facts(session, me.id)
    return Analytics(
        time_zone=zone,
        applications_per_month=series,
        by_stage=await applications.counts_by_stage(session, me.id),
        response_rate=round(responded / total, 4) if total else None,
        average_match_score=round(mean_score, 4) if mean_score is not None else None,
        by_origin=origins,
    )


@router.get(
    "/api/mobile/home/market-insights",
    response_model=MarketInsights,
    summary="Demand and salaries in the job market",
)
async def market_insights(
    session: SessionDep,
    _: CurrentUser,
    city: Annotated[str | None, Query(max_length=200)] = None,
    country: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    min_jobs: Annotated[
        int, Query(alias="minJobs", ge=1, le=100, description="Smallest group for a salary range")
    ] = 2,
) -> MarketInsights:
    """Over open jobs: the most demanded skills, cities, skills per city, and salary ranges
    per title (quartiles of the stated ranges' midpoints)."""
    ref = normalise_city(city) if city else None
    city_name = ref.city if ref is not None and ref.city else city
    country_code = ref.country if ref is not None and ref.city is None else None
    if country:
        country_ref = normalise_city(country)
        country_code = country_ref.country if country_ref is not None else country.upper()[:2]
    return MarketInsights(
        open_jobs=await repository.open_jobs(session, city_name, country_code),
        top_skills=[
            SkillDemand(skill=s, jobs=n)
            for s, n in await repository.top_skills(session, city_name, country_code, limit)
        ],
        top_cities=[
            CityDemand(city=c, country=k, jobs=n)
            for c, k, n in await repository.top_cities(session, country_code, limit)
        ],
        skill_city_demand=[
            SkillCityDemand(skill=s, city=c, jobs=n)
            for s, c, n in await repository.skill_city_demand(
                session, city_name, country_code, limit
            )
        ],
        salary_ranges=[
            SalaryRange(
                title=t,
                currency=cur,
                period=per,
                jobs=int(n),
                min=int(lo) if lo is not None else None,
                p25=round(float(q1), 2) if q1 is not None else None,
                median=round(float(q2), 2) if q2 is not None else None,
                p75=round(float(q3), 2) if q3 is not None else None,
                max=int(hi) if hi is not None else None,
            )
            for t, cur, per, n, lo, q1, q2, q3, hi in await repository.salary_ranges(
                session, city_name, country_code, min_jobs, limit
            )
        ],
    )


# --- notifications ------------------------------------------------------------------------------


def _note(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        title=n.title,
        body=n.body,
        data=n.data,
        read=n.read_at is not None,
        read_at=n.read_at,
        created_at=n.created_at,
    )


@router.get(
    "/api/mobile/notifications", response_model=NotificationList, summary="My notifications"
)
async def list_notifications(
    session: SessionDep,
    me: CurrentUser,
    unread_only: Annotated[bool, Query(alias="unreadOnly")] = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NotificationList:
    """Your notifications, newest first: applications sent, new applicants, stage changes."""
    rows, total, unread = await notifications.list_notifications(
        session, me.id, unread_only=unread_only, offset=(page - 1) * limit, limit=limit
    )
    return NotificationList(
        items=[_note(n) for n in rows], unread=unread, pagination=page_of(page, limit, total)
    )


@router.post(
    "/api/mobile/notifications/read-all",
    response_model=ReadAllOut,
    summary="Mark all my notifications read",
)
async def read_all(session: SessionDep, me: CurrentUser) -> ReadAllOut:
    """Mark every unread notification read; how many were."""
    return ReadAllOut(marked=await notifications.mark_all_read(session, me.id))


@router.post(
    "/api/mobile/notifications/{notification_id}/read",
    response_model=NotificationOut,
    summary="Mark a notification read",
    responses={404: {"description": "No such notification of yours"}},
)
async def read_one(
    notification_id: uuid.UUID, session: SessionDep, me: CurrentUser
) -> NotificationOut:
    """Mark one notification read (again is fine)."""
    return _note(await notifications.mark_read(session, me.id, notification_id))
