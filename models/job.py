"""Jobs and what candidates do with them: applications and saved jobs."""

from __future__ import annotations

import uuid
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import (
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CreatedAt, Timestamp, UpdatedAt, UUIDPk, hnsw_cosine_index, str_enum
from models.enums import (
    ApplicationOrigin,
    ApplicationStage,
    JobStatus,
    JobType,
    SalaryPeriod,
    WorkMode,
)
from models.settings import EMBEDDING_DIM

#: The full-text document of a job: title weighs most, then employer, then description. The
#: 'simple' configuration neither stems nor drops stop words, so English and Arabic both work.
JOB_SEARCH_VECTOR_SQL = (
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, company), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, description), 'C')"
)


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("source", "source_id"),
        CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max",
            name="salary_range_ordered",
        ),
        CheckConstraint(
            "experience_min IS NULL OR experience_max IS NULL OR experience_min <= experience_max",
            name="experience_range_ordered",
        ),
        Index("ix_jobs_salary_range", "salary_min", "salary_max"),
        Index("ix_jobs_experience_range", "experience_min", "experience_max"),
        Index("ix_jobs_status_posted_at", "status", "posted_at"),
        Index("ix_jobs_search_vector", "search_vector", postgresql_using="gin"),
        hnsw_cosine_index("ix_jobs_embedding_hnsw"),
    )

    id: Mapped[UUIDPk]
    title: Mapped[str] = mapped_column(String(300))
    company: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, server_default="", default="")
    requirements: Mapped[list[str]] = mapped_column(
        ARRAY(Text), server_default=text("'{}'"), default=list
    )
    skills: Mapped[list[str]] = mapped_column(
        ARRAY(String(200)), server_default=text("'{}'"), default=list
    )
    city: Mapped[str | None] = mapped_column(String(100), index=True)
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    salary_min: Mapped[int | None]
    salary_max: Mapped[int | None]
    salary_currency: Mapped[str | None] = mapped_column(String(3))
    salary_period: Mapped[SalaryPeriod | None] = mapped_column(
        str_enum(SalaryPeriod, "salary_period")
    )
    job_type: Mapped[JobType | None] = mapped_column(str_enum(JobType, "job_type"), index=True)
    work_mode: Mapped[WorkMode | None] = mapped_column(str_enum(WorkMode, "work_mode"), index=True)
    experience_min: Mapped[int | None]
    experience_max: Mapped[int | None]
    language: Mapped[str] = mapped_column(String(8), server_default="en", default="en", index=True)
    status: Mapped[JobStatus] = mapped_column(
        str_enum(JobStatus, "job_status"),
        server_default=JobStatus.OPEN.value,
        default=JobStatus.OPEN,
    )
    # Where the post came from: "api", "demo", a feed name. (source, source_id) dedupes re-posts.
    source: Mapped[str] = mapped_column(String(64), server_default="api", default="api")
    source_id: Mapped[str | None] = mapped_column(String(200))
    posted_at: Mapped[Timestamp | None] = mapped_column(index=True)
    expires_at: Mapped[Timestamp | None]
    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    content_hash: Mapped[str | None] = mapped_column(String(64))
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    #: When the job last left the open state by a person's decision (closed); time-to-fill and
    #: the lifecycle report read it. Expiry is computed from ``expires_at``.
    closed_at: Mapped[Timestamp | None]
    #: Recruiters of this job review applicants without name, email, phone or any protected
    #: attribute (and cannot switch it off per request).
    blind_review: Mapped[bool] = mapped_column(server_default=text("false"), default=False)
    # Maintained by Postgres from title, company and description; never loaded with the row
    # (a whole description's lexemes), only used in WHERE / ORDER BY.
    search_vector: Mapped[str | None] = mapped_column(
        TSVECTOR,
        Computed(JOB_SEARCH_VECTOR_SQL, persisted=True),
        deferred=True,
        deferred_raiseload=True,
    )
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    applications: Mapped[list[JobApplication]] = relationship(back_populates="job", lazy="raise")


class JobApplication(Base):
    __tablename__ = "job_applications"
    __table_args__ = (
        UniqueConstraint("user_id", "job_id"),
        # The daily quota counts a candidate's applications of one day.
        Index("ix_job_applications_user_id_created_at", "user_id", "created_at"),
        Index("ix_job_applications_job_id_stage", "job_id", "stage"),
        CheckConstraint(
            "matched_score IS NULL OR (matched_score >= 0 AND matched_score <= 1)",
            name="matched_score_unit_interval",
        ),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    resume_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("resumes.id", ondelete="SET NULL")
    )
    stage: Mapped[ApplicationStage] = mapped_column(
        str_enum(ApplicationStage, "application_stage"),
        server_default=ApplicationStage.APPLIED.value,
        default=ApplicationStage.APPLIED,
        index=True,
    )
    origin: Mapped[ApplicationOrigin] = mapped_column(
        str_enum(ApplicationOrigin, "application_origin"),
        server_default=ApplicationOrigin.SINGLE.value,
        default=ApplicationOrigin.SINGLE,
    )
    matched_score: Mapped[float | None]
    match_explanation: Mapped[dict[str, Any] | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    job: Mapped[Job] = relationship(back_populates="applications", lazy="raise")


class SavedJob(Base):
    __tablename__ = "saved_jobs"
    __table_args__ = (UniqueConstraint("user_id", "job_id"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[CreatedAt]


# The pipeline's tables (stage history, notes) hang off job_applications: register them with
# the metadata whenever jobs are, so migrations and the app always see them.
from models import pipeline as pipeline  # noqa: E402
