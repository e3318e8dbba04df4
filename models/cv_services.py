"""CV services: where a CV came from (a duplicate, a translation), what the AI builder was
given and produced, and what each language-model call cost, per user."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, UpdatedAt, UUIDPk


class ResumeDerivation(Base):
    """A resume made from another one (not uploaded): a duplicate or a translation. Its
    ``sha256`` is then not of an upload, so re-uploading the source file still finds the
    source."""

    __tablename__ = "resume_derivations"
    __table_args__ = (
        CheckConstraint("kind IN ('duplicate', 'translation')", name="derivation_kind"),
    )

    resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("resumes.id", ondelete="CASCADE"), primary_key=True
    )
    source_resume_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("resumes.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    #: For a translation: the language it was translated into ("en" / "ar").
    target_language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[CreatedAt]


class AiResumeContent(Base):
    """The AI builder's input and output for one ``AiResume``: the source text every claim is
    checked against, the structured CV it started from, the improved CV, and what validation
    removed from the model's answer because the source does not support it."""

    __tablename__ = "ai_resume_contents"

    ai_resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_resumes.id", ondelete="CASCADE"), primary_key=True
    )
    source_text: Mapped[str] = mapped_column(Text)
    source_cv: Mapped[dict[str, Any]]
    result_cv: Mapped[dict[str, Any] | None]
    #: [{"section", "value", "reason"}] dropped from the model's answer.
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(
        server_default=text("'[]'::jsonb"), default=list
    )
    #: What the candidate asked for: target role, tone, sections.
    options: Mapped[dict[str, Any]] = mapped_column(
        server_default=text("'{}'::jsonb"), default=dict
    )
    model: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class LlmUsage(Base):
    """One language-model request (each retry and repair is its own row): tokens and cost,
    per user and feature, whether or not the request succeeded."""

    __tablename__ = "llm_usage"
    __table_args__ = (
        Index("ix_llm_usage_user_id_created_at", "user_id", "created_at"),
        CheckConstraint(
            "prompt_tokens >= 0 AND completion_tokens >= 0", name="tokens_not_negative"
        ),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: "translate", "ai_resume", "format" …
    feature: Mapped[str] = mapped_column(String(64), index=True)
    model: Mapped[str] = mapped_column(String(200))
    #: ok, invalid_output (answered but failed validation), error (no usable answer).
    status: Mapped[str] = mapped_column(String(32))
    prompt_tokens: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    cost_usd: Mapped[Decimal] = mapped_column(
        Numeric(12, 6), server_default=text("0"), default=Decimal(0)
    )
    duration_ms: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[CreatedAt]
