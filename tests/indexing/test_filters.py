from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.filters import (
    JobFilters,
    job_filter_clause,
    job_filter_params,
    job_filter_shape,
    job_filter_sql,
)
from models import Job
from models.enums import JobStatus, WorkMode


@pytest.mark.unit
def test_values_are_bound_never_pasted() -> None:
    hostile = "Dubai'; DROP TABLE jobs; --"
    stmt = select(Job.id).where(job_filter_clause(JobFilters(city=(hostile,), company=(hostile,))))
    compiled = stmt.compile(dialect=postgresql.dialect())
    assert "DROP TABLE" not in str(compiled)
    assert hostile in compiled.params.values() or any(
        hostile in v for v in compiled.params.values() if isinstance(v, list)
    )


@pytest.mark.unit
def test_default_filter_only_asks_for_open_jobs() -> None:
    assert len(job_filter_sql(JobFilters())) == 1
    assert job_filter_sql(JobFilters(status=())) == []
    assert JobFilters(status=()).is_empty()


@pytest.mark.unit
def test_filters_of_one_shape_share_their_sql_and_differ_in_parameters() -> None:
    one = JobFilters(city=("Dubai",), experience_years=3)
    other = JobFilters(city=("Riyadh", "Jeddah", "Dammam"), experience_years=10)
    assert (
        job_filter_shape(one)
        == job_filter_shape(other)
        == (
            "f_city",
            "f_experience",
            "f_status",
        )
    )
    dialect = postgresql.dialect()

    def sql(f: JobFilters) -> str:
        return str(select(Job.id).where(*job_filter_sql(f)).compile(dialect=dialect))

    # However many cities are listed, the text is the same: one array parameter.
    assert sql(one) == sql(other)
    assert job_filter_params(other) == {
        "f_city": ["Riyadh", "Jeddah", "Dammam"],
        "f_experience": 10,
        "f_status": [JobStatus.OPEN],
    }
    assert job_filter_shape(JobFilters(status=())) == ()


@pytest.mark.integration
async def test_a_statement_built_for_one_filter_answers_another_of_its_shape(
    session: AsyncSession,
    job_factory,  # type: ignore[no-untyped-def]
) -> None:
    dubai = await job_factory(city="Dubai")
    riyadh = await job_factory(city="Riyadh", country="SA")
    stmt = select(Job.id).where(*job_filter_sql(JobFilters(city=("Dubai",))))
    for f, expected in (
        (JobFilters(city=("Riyadh",)), {riyadh.id}),
        (JobFilters(city=("Riyadh", "Dubai")), {riyadh.id, dubai.id}),
        (JobFilters(city=("Dubai",)), {dubai.id}),
    ):
        rows = await session.execute(stmt, job_filter_params(f))
        assert set(rows.scalars()) & {dubai.id, riyadh.id} == expected


@pytest.mark.integration
async def test_filters_select_the_right_jobs(session: AsyncSession, job_factory) -> None:  # type: ignore[no-untyped-def]
    a = await job_factory(city="Dubai", salary_min=10000, salary_max=15000, experience_min=3)
    b = await job_factory(city="Riyadh", country="SA", work_mode=WorkMode.REMOTE)
    c = await job_factory(city="Dubai", status=JobStatus.CLOSED)
    d = await job_factory(city="Dubai", posted_at=datetime(2025, 1, 1, tzinfo=UTC))

    async def ids(f: JobFilters) -> set[object]:
        rows = await session.execute(select(Job.id).where(job_filter_clause(f)))
        return set(rows.scalars())

    assert await ids(JobFilters(city=("Dubai",))) == {a.id, d.id}
    assert await ids(JobFilters(country=("sa",))) == {b.id}
    assert await ids(JobFilters(work_mode=(WorkMode.REMOTE,))) == {b.id}
    # Salary wish above the job's range excludes it; unknown salaries stay in.
    assert a.id not in await ids(JobFilters(salary_min=20000))
    assert b.id in await ids(JobFilters(salary_min=20000))
    assert a.id in await ids(JobFilters(salary_min=12000))
    # Two years of experience do not meet a three-year minimum.
    assert a.id not in await ids(JobFilters(experience_years=2))
    assert a.id in await ids(JobFilters(experience_years=5))
    assert await ids(
        JobFilters(city=("Dubai",), posted_since=datetime(2026, 1, 1, tzinfo=UTC))
    ) == {a.id}
    assert c.id in await ids(JobFilters(city=("Dubai",), status=(JobStatus.CLOSED,)))
