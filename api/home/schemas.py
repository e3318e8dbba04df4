"""Bodies of the candidate home and notification routes (camelCase, like the apps)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from api.accounts.schemas import CamelModel
from api.applications.schemas import MobileApplication, MobileJobSummary
from api.jobs.schemas import Pagination

_JOB: dict[str, Any] = {
    "id": "0b8f4a52-3f0e-4d59-9a52-6a1c51b9d7a1",
    "title": "Data Analyst",
    "company": "Falcon Analytics LLC",
    "city": "Dubai",
    "country": "AE",
    "status": "open",
}


class Credits(CamelModel):
    ai_job_apply_count: int
    job_count: int


class ApplicationCounts(CamelModel):
    total: int
    by_stage: dict[str, int]


class Dashboard(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "applications": {
                        "total": 3,
                        "byStage": {
                            "applied": 2,
                            "screening": 1,
                            "interview": 0,
                            "offer": 0,
                            "hired": 0,
                            "rejected": 0,
                        },
                    },
                    "savedJobs": 4,
                    "resumes": 1,
                    "unreadNotifications": 2,
                    "credits": {"aiJobApplyCount": 5, "jobCount": 0},
                    "profileCompleteness": 80,
                    "recentApplications": [],
                }
            ]
        }
    )

    applications: ApplicationCounts
    saved_jobs: int
    resumes: int
    unread_notifications: int
    credits: Credits
    #: Share (0-100) of the profile's matching-relevant facts filled in (never protected ones).
    profile_completeness: int
    recent_applications: list[MobileApplication]


class TrendingJob(CamelModel):
    job: MobileJobSummary
    applications: int
    saves: int


class TrendingList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [{"job": _JOB, "applications": 14, "saves": 9}],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[TrendingJob]
    pagination: Pagination


class Recommendation(CamelModel):
    job: MobileJobSummary
    score: float
    explanation: dict[str, Any]


class RecommendationList(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "basis": "resume",
                    "items": [
                        {
                            "job": _JOB,
                            "score": 0.66,
                            "explanation": {
                                "matched_skills": ["SQL"],
                                "missing_skills": ["Tableau"],
                                "reasons": [
                                    "The CV and the job read 66% alike (semantic similarity)."
                                ],
                            },
                        }
                    ],
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    #: What the recommendations are drawn from: your latest CV, your desired positions, or
    #: nothing yet (upload a CV or fill in your profile).
    basis: Literal["resume", "profile", "none"]
    items: list[Recommendation]
    pagination: Pagination


class MonthCount(CamelModel):
    month: str
    count: int


class Analytics(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "timeZone": "Asia/Dubai",
                    "applicationsPerMonth": [
                        {"month": "2026-10", "count": 2},
                        {"month": "2026-11", "count": 5},
                    ],
                    "byStage": {
                        "applied": 4,
                        "screening": 2,
                        "interview": 1,
                        "offer": 0,
                        "hired": 0,
                        "rejected": 0,
                    },
                    "responseRate": 0.43,
                    "averageMatchScore": 0.58,
                    "byOrigin": {"single": 3, "bulk": 0, "ai": 4},
                }
            ]
        }
    )

    time_zone: str
    applications_per_month: list[MonthCount]
    by_stage: dict[str, int]
    #: Share of your applications a recruiter moved on (any stage change), 0-1.
    response_rate: float | None
    average_match_score: float | None
    by_origin: dict[str, int]


class SkillDemand(CamelModel):
    skill: str
    jobs: int


class CityDemand(CamelModel):
    city: str | None
    country: str | None
    jobs: int


class SkillCityDemand(CamelModel):
    skill: str
    city: str | None
    jobs: int


class SalaryRange(CamelModel):
    title: str
    currency: str | None
    period: str | None
    jobs: int
    min: int | None
    p25: float | None
    median: float | None
    p75: float | None
    max: int | None


class MarketInsights(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "openJobs": 320,
                    "topSkills": [{"skill": "SQL", "jobs": 41}],
                    "topCities": [{"city": "Dubai", "country": "AE", "jobs": 120}],
                    "skillCityDemand": [{"skill": "SQL", "city": "Dubai", "jobs": 18}],
                    "salaryRanges": [
                        {
                            "title": "data analyst",
                            "currency": "AED",
                            "period": "month",
                            "jobs": 9,
                            "min": 9000,
                            "p25": 11000.0,
                            "median": 13500.0,
                            "p75": 16000.0,
                            "max": 22000,
                        }
                    ],
                }
            ]
        }
    )

    open_jobs: int
    top_skills: list[SkillDemand]
    top_cities: list[CityDemand]
    skill_city_demand: list[SkillCityDemand]
    #: Per title, currency and period; midpoints of the stated ranges.
    salary_ranges: list[SalaryRange]


_NOTIFICATION_EXAMPLE: dict[str, Any] = {
    "id": "5a3c0e0e-8d8b-4b55-a7c4-0b7f7d3b9e21",
    "kind": "application_stage_changed",
    "title": "Your application for Data Analyst moved to the interview stage",
    "body": "",
    "data": {"applicationId": "3c0b2a51-6d5e-4f1a-8b7c-9d0e1f2a3b4c"},
    "read": False,
    "readAt": None,
    "createdAt": "2026-11-22T10:30:00Z",
}


class NotificationOut(CamelModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [_NOTIFICATION_EXAMPLE]}
    )

    id: uuid.UUID
    kind: str
    title: str
    body: str
    data: dict[str, Any] | None
    read: bool
    read_at: datetime | None
    created_at: datetime


class NotificationList(CamelModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [_NOTIFICATION_EXAMPLE],
                    "unread": 1,
                    "pagination": {"page": 1, "limit": 20, "total": 1, "pages": 1},
                }
            ]
        }
    )

    items: list[NotificationOut]
    unread: int
    pagination: Pagination


class ReadAllOut(CamelModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"marked": 3}]})

    #: How many notifications were unread and are now read.
    marked: int
