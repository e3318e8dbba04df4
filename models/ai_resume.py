"""AI-built resumes (the seed's AiResume and its child records)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, CreatedAt, UpdatedAt, UUIDPk, str_enum
from models.enums import AiResumeStatus


class AiResume(Base):
    __tablename__ = "ai_resumes"
    __table_args__ = (CheckConstraint("progress BETWEEN 0 AND 100", name="progress_percent"),)

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    source_resume_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("resumes.id", ondelete="SET NULL")
    )
    title: Mapped[str | None] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), server_default="en", default="en")
    status: Mapped[AiResumeStatus] = mapped_column(
        str_enum(AiResumeStatus, "ai_resume_status"),
        server_default=AiResumeStatus.PENDING.value,
        default=AiResumeStatus.PENDING,
    )
    progress: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    personal_details: Mapped[AiResumePersonalDetails | None] = relationship(lazy="raise")
    employment: Mapped[list[AiEmploymentHistory]] = relationship(
        lazy="raise", order_by="AiEmploymentHistory.position"
    )
    education: Mapped[list[AiEducation]] = relationship(
        lazy="raise", order_by="AiEducation.position"
    )
    skills: Mapped[list[AiSkill]] = relationship(lazy="raise", order_by="AiSkill.position")
    languages: Mapped[list[AiLanguage]] = relationship(lazy="raise", order_by="AiLanguage.position")


class AiResumePersonalDetails(Base):
    __tablename__ = "ai_resume_personal_details"

    ai_resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_resumes.id", ondelete="CASCADE"), primary_key=True
    )
    full_name: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(40))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(100))
    linkedin_url: Mapped[str | None] = mapped_column(String(500))


class _AiChild:
    """Columns every ordered child record of an AI resume has."""

    id: Mapped[UUIDPk]
    position: Mapped[int] = mapped_column(Integer, server_default=text("0"), default=0)


class AiEmploymentHistory(_AiChild, Base):
    __tablename__ = "ai_employment_history"

    ai_resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_resumes.id", ondelete="CASCADE"), index=True
    )
    job_title: Mapped[str] = mapped_column(String(200))
    employer: Mapped[str] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    is_current: Mapped[bool] = mapped_column(server_default=text("false"), default=False)
    description: Mapped[str | None] = mapped_column(Text)


class AiEducation(_AiChild, Base):
    __tablename__ = "ai_education"

    ai_resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_resumes.id", ondelete="CASCADE"), index=True
    )
    degree: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str] = mapped_column(String(200))
    field_of_study: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class AiSkill(_AiChild, Base):
    __tablename__ = "ai_skills"

    ai_resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_resumes.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(50))


class AiLanguage(_AiChild, Base):
    __tablename__ = "ai_languages"

    ai_resume_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ai_resumes.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(100))
    proficiency: Mapped[str | None] = mapped_column(String(50))
