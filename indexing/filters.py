"""The one typed filter language for job search, translated per backend into bound parameters.

Values are canonical (cities as ingestion normalises them, ISO country codes, enum values): the
API normalises what a user typed before building a filter. Empty tuples mean "no constraint".
Translations never paste values into SQL or query strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from models import Job
from models.enums import JobStatus, JobType, WorkMode


@dataclass(frozen=True)
class JobFilters:
    """Hard constraints on jobs. Ranges match jobs whose own range overlaps them."""

    city: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    job_type: tuple[JobType, ...] = ()
    work_mode: tuple[WorkMode, ...] = ()
    #: Salary the candidate wants, in the job's currency and period: the job's range must reach it.
    salary_min: int | None = None
    salary_max: int | None = None
    #: The candidate's years of experience: jobs asking for more (experience_min) are excluded.
    experience_years: int | None = None
    language: tuple[str, ...] = ()
    posted_since: datetime | None = None
    status: tuple[JobStatus, ...] = field(default=(JobStatus.OPEN,))
    company: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == JobFilters(status=())


def job_filter_sql(f: JobFilters) -> list[ColumnElement[bool]]:
    """SQLAlchemy conditions (bound parameters only) for ``f`` over the ``jobs`` table."""
    conditions: list[ColumnElement[bool]] = []
    if f.city:
        conditions.append(Job.city.in_(f.city))
    if f.country:
        conditions.append(Job.country.in_([c.upper() for c in f.country]))
    if f.job_type:
        conditions.append(Job.job_type.in_(f.job_type))
    if f.work_mode:
        conditions.append(Job.work_mode.in_(f.work_mode))
    if f.salary_min is not None:
        # A job with no stated salary is not excluded by a salary wish.
        conditions.append(or_(Job.salary_max.is_(None), Job.salary_max >= f.salary_min))
    if f.salary_max is not None:
        conditions.append(or_(Job.salary_min.is_(None), Job.salary_min <= f.salary_max))
    if f.experience_years is not None:
        conditions.append(
            or_(Job.experience_min.is_(None), Job.experience_min <= f.experience_years)
        )
    if f.language:
        conditions.append(Job.language.in_(f.language))
    if f.posted_since is not None:
        conditions.append(Job.posted_at >= f.posted_since)
    if f.status:
        conditions.append(Job.status.in_(f.status))
    if f.company:
        conditions.append(Job.company.in_(f.company))
    return conditions


def job_filter_clause(f: JobFilters) -> ColumnElement[bool]:
    """All of :func:`job_filter_sql` as one clause (``true`` when unconstrained)."""
    return and_(True, *job_filter_sql(f))
