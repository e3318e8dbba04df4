"""The Postgres-backed work queue: no extra server, workers claim rows with SKIP LOCKED."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, Timestamp, UpdatedAt, UUIDPk, str_enum
from models.enums import TaskStatus


class Task(Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_status_run_after", "status", "run_after"),)

    id: Mapped[UUIDPk]
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(
        server_default=text("'{}'::jsonb"), default=dict
    )
    status: Mapped[TaskStatus] = mapped_column(
        str_enum(TaskStatus, "task_status"),
        server_default=TaskStatus.QUEUED.value,
        default=TaskStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(server_default="0", default=0)
    max_attempts: Mapped[int] = mapped_column(server_default="5", default=5)
    run_after: Mapped[Timestamp] = mapped_column(server_default=text("now()"))
    locked_at: Mapped[Timestamp | None]
    progress: Mapped[float] = mapped_column(server_default="0", default=0.0)
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
