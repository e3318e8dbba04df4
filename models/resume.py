"""Uploaded CVs and what ingestion made of them."""

from __future__ import annotations

import uuid
from typing import Any

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, UpdatedAt, UUIDPk, hnsw_cosine_index, str_enum
from models.enums import ParseStatus
from models.settings import EMBEDDING_DIM


class Resume(Base):
    __tablename__ = "resumes"
    __table_args__ = (
        # The same file uploaded twice by one user is one resume (ingestion is idempotent).
        UniqueConstraint("user_id", "sha256"),
        hnsw_cosine_index("ix_resumes_embedding_hnsw"),
    )

    id: Mapped[UUIDPk]
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str | None] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))
    storage_key: Mapped[str | None] = mapped_column(String(500))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    extracted_text: Mapped[str | None] = mapped_column(Text)
    parsed: Mapped[dict[str, Any] | None]
    language: Mapped[str | None] = mapped_column(String(8))
    parse_status: Mapped[ParseStatus] = mapped_column(
        str_enum(ParseStatus, "parse_status"),
        server_default=ParseStatus.PENDING.value,
        default=ParseStatus.PENDING,
        index=True,
    )
    parse_confidence: Mapped[float | None]
    parse_error: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
