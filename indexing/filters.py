"""The one typed filter language for job search, translated per backend into bound parameters.

Values are canonical (cities as ingestion normalises them, ISO country codes, enum values): the
API normalises what a user typed before building a filter. Empty tuples mean "no constraint".
Translations never paste values into SQL or query strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, BindParameter, ColumnElement, String, and_, any_, bindparam, or_

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


_TEXT_ARRAY = ARRAY(String)

#: How one constraint becomes SQL: a parameter name, its value, and the condition over it.
_Term = tuple[str, Any, Callable[[BindParameter[Any]], ColumnElement[bool]]]


def _terms(f: JobFilters) -> list[_Term]:
    """``f``'s constraints: the single place their SQL meaning is written down."""
    terms: list[_Term] = []
    if f.city:
        terms.append(("f_city", list(f.city), _one_of(Job.city)))
    if f.country:
        terms.append(("f_country", [c.upper() for c in f.country], _one_of(Job.country)))
    if f.job_type:
        terms.append(("f_job_type", list(f.job_type), _one_of(Job.job_type)))
    if f.work_mode:
        terms.append(("f_work_mode", list(f.work_mode), _one_of(Job.work_mode)))
    if f.salary_min is not None:
        # A job with no stated salary is not excluded by a salary wish.
        terms.append(
            (
                "f_salary_min",
                f.salary_min,
                lambda p: or_(Job.salary_max.is_(None), Job.salary_max >= p),
            )
        )
    if f.salary_max is not None:
        terms.append(
            (
                "f_salary_max",
                f.salary_max,
                lambda p: or_(Job.salary_min.is_(None), Job.salary_min <= p),
            )
        )
    if f.experience_years is not None:
        terms.append(
            (
                "f_experience",
                f.experience_years,
                lambda p: or_(Job.experience_min.is_(None), Job.experience_min <= p),
            )
        )
    if f.language:
        terms.append(("f_language", list(f.language), _one_of(Job.language)))
    if f.posted_since is not None:
        terms.append(("f_posted_since", f.posted_since, lambda p: Job.posted_at >= p))
    if f.status:
        terms.append(("f_status", list(f.status), _one_of(Job.status)))
    if f.company:
        terms.append(("f_company", list(f.company), _one_of(Job.company)))
    return terms


def _one_of(column: Any) -> Callable[[BindParameter[Any]], ColumnElement[bool]]:
    """``column = ANY(:values)``: one array parameter, so the SQL text does not depend on how
    many values a filter lists."""
    return lambda values: column == any_(values)


def job_filter_sql(f: JobFilters) -> list[ColumnElement[bool]]:
    """SQLAlchemy conditions (bound parameters only) for ``f`` over the ``jobs`` table.

    The parameters are named after the constraint (``f_city``...), so a statement built for one
    filter serves every filter of the same :func:`job_filter_shape` with the values of
    :func:`job_filter_params`: hot paths build their statement once per shape.
    """
    return [
        build(bindparam(name, value, type_=_TEXT_ARRAY if isinstance(value, list) else None))
        for name, value, build in _terms(f)
    ]


def job_filter_shape(f: JobFilters) -> tuple[str, ...]:
    """Which constraints ``f`` sets: filters of one shape share their SQL text."""
    return tuple(name for name, _, _ in _terms(f))


def job_filter_params(f: JobFilters) -> dict[str, Any]:
    """The values of :func:`job_filter_sql`'s parameters for ``f``, by name."""
    return {name: value for name, value, _ in _terms(f)}


def job_filter_clause(f: JobFilters) -> ColumnElement[bool]:
    """All of :func:`job_filter_sql` as one clause (``true`` when unconstrained)."""
    return and_(True, *job_filter_sql(f))
