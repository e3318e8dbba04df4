"""A recruiter's pipeline: every stage change of an application (who, when, from, to) and the
notes recruiters keep on it. Both are append-only; the application row holds the current stage."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, Index, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, UUIDPk, str_enum
from models.enums import ApplicationStage


class ApplicationStageChange(Base):
    """One move of an application between stages. The first row of an application (applied,
    ``from_stage`` NULL) is written when it is created; time in each stage and time-to-fill are
    computed from these rows."""

    __tablename__ = "application_stage_changes"
    __table_args__ = (
        Index(
            "ix_application_stage_changes_application_id_created_at", "application_id", "created_at"
        ),
        Index("ix_application_stage_changes_to_stage_created_at", "to_stage", "created_at"),
    )

    id: Mapped[UUIDPk]
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    from_stage: Mapped[ApplicationStage | None] = mapped_column(
        str_enum(ApplicationStage, "from_stage")
    )
    to_stage: Mapped[ApplicationStage] = mapped_column(str_enum(ApplicationStage, "to_stage"))
    #: Who moved it (NULL: the candidate's own application, a service call, or a deleted user).
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]


class ApplicationNote(Base):
    """A recruiter's note on an application: internal, never shown to the candidate."""

    __tablename__ = "application_notes"
    __table_args__ = (
        Index("ix_application_notes_application_id_created_at", "application_id", "created_at"),
    )

    id: Mapped[UUIDPk]
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("job_applications.id", ondelete="CASCADE")
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
