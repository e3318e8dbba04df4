"""Search-side records derived from jobs and CVs: text chunks with vectors, and the index outbox.

Both are derived data: chunks are rebuilt from the documents they cut, and the outbox only says
which documents an index beside the database (tantivy) must re-read.
"""

from __future__ import annotations

import enum
import uuid

from pgvector.sqlalchemy import Vector
from sqlalchemy import BigInteger, Identity, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt, UUIDPk, str_enum
from models.settings import EMBEDDING_DIM


class DocType(enum.StrEnum):
    JOB = "job"
    RESUME = "resume"


class SearchChunk(Base):
    """One window of a long job or CV text, short enough for the encoder, with its vector."""

    __tablename__ = "search_chunks"
    __table_args__ = (
        # Also the B-tree that finds a document's chunks (doc_type, doc_id) for exact scans.
        UniqueConstraint("doc_type", "doc_id", "ordinal"),
        Index(
            "ix_search_chunks_embedding_hnsw",
            "embedding",
            postgresql_using="hnsw",
            postgresql_with={"m": 16, "ef_construction": 64},
            postgresql_ops={"embedding": "vector_cosine_ops"},
        ),
    )

    id: Mapped[UUIDPk]
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType, "search_doc_type"))
    # No foreign key: a chunk belongs to a job or a resume. Index deletes remove chunks with
    # their document, and a rebuild drops orphans.
    doc_id: Mapped[uuid.UUID]
    ordinal: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    embedding: Mapped[list[float] | None] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[CreatedAt]


class SearchOutbox(Base):
    """Documents whose derived indexes are stale. Filled by a trigger on ``jobs`` (migration
    0003) in the same transaction as the change, drained by the lexical index sync."""

    __tablename__ = "search_outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    doc_type: Mapped[DocType] = mapped_column(str_enum(DocType, "search_doc_type"))
    doc_id: Mapped[uuid.UUID]
    enqueued_at: Mapped[CreatedAt]


class TitleEmbedding(Base):
    """The vector of one job title (or of a CV's titles), shared by every job and CV that has
    exactly that text: titles repeat, so each is embedded once. Derived data, rebuilt with the
    documents that use it."""

    __tablename__ = "title_embeddings"

    title: Mapped[str] = mapped_column(Text, primary_key=True)
    embedding: Mapped[list[float]] = mapped_column(Vector(EMBEDDING_DIM))
    embedding_model: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[CreatedAt]
