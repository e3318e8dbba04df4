"""Batch recommendations: the jobs computed for each CV overnight, and which ones were announced.

Derived data like every index: rebuilt by ``tabashir reindex`` (``matching.batch``) from the
vectors in Postgres. A row per (CV, job) pair kept in a candidate's top list; the notice table
remembers which pairs were already announced, so a job that drops out of a list and comes back
is never announced twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, UUIDPk


class Recommendation(Base):
    """One job in a CV's batch-computed top list, with the engine's score and explanation."""

    __tablename__ = "recommendations"
    __table_args__ = (
        # One row per pair: a refresh replaces a CV's list by upsert on this key.
        Index("uq_recommendations_resume_id_job_id", "resume_id", "job_id", unique=True),
        # What the apps read: a user's list, best first.
        Index("ix_recommendations_user_id_score", "user_id", "score"),
        Index("ix_recommendations_job_id", "job_id"),
        CheckConstraint("score >= 0 AND score <= 1", name="score_unit_interval"),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    resume_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"))
    job_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    #: 1-based position in the CV's list after re-ranking.
    rank: Mapped[int]
    #: The matching engine's score in [0, 1] (matching.features.score).
    score: Mapped[float]
    #: Inner product of the CV and job vectors that retrieved it (faiss).
    retrieval_score: Mapped[float]
    explanation: Mapped[dict[str, Any]]
    #: The embedding model of the vectors it was computed from.
    embedding_model: Mapped[str] = mapped_column(String(200))
    computed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class RecommendationNotice(Base):
    """A (user, job) pair already announced as a strong match: never announced again."""

    __tablename__ = "recommendation_notices"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    job_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float]
    created_at: Mapped[CreatedAt]
