"""CV vectors: like jobs, a CV is embedded by chunks and its own vector is their normalised mean,
so no part of a long CV is dropped at the encoder's 256-token limit."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import delete, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.chunking import chunk_text
from indexing.documents import content_hash
from indexing.embedder import Embedder
from models import Resume
from models.search import DocType, SearchChunk


@dataclass(frozen=True)
class ResumeVectors:
    resume_id: uuid.UUID
    vector: list[float] | None
    chunks: tuple[tuple[str, list[float]], ...]
    text_hash: str


def embed_resumes(
    items: Sequence[tuple[uuid.UUID, str]], embedder: Embedder
) -> list[ResumeVectors]:
    """Vectors for (resume id, text) pairs. CPU-heavy: run it off the event loop."""
    per_doc = [[c.text for c in chunk_text(text)] for _, text in items]
    flat = [t for chunks in per_doc for t in chunks]
    vectors = embedder.embed(flat) if flat else np.zeros((0, embedder.dimension), np.float32)
    out: list[ResumeVectors] = []
    at = 0
    for (resume_id, text), chunks in zip(items, per_doc, strict=True):
        mine = vectors[at : at + len(chunks)]
        at += len(chunks)
        vector: list[float] | None = None
        if len(chunks):
            mean = mine.mean(axis=0)
            norm = float(np.linalg.norm(mean))
            vector = (mean / norm if norm > 0 else mine[0]).astype(np.float32).tolist()
        out.append(
            ResumeVectors(
                resume_id,
                vector,
                tuple((t, v.tolist()) for t, v in zip(chunks, mine, strict=True)),
                content_hash(text),
            )
        )
    return out


async def store_resume_vectors(
    session: AsyncSession, items: Sequence[ResumeVectors], model_id: str
) -> None:
    """Write CV vectors and replace their chunks, in the caller's transaction."""
    for item in items:
        await session.execute(
            update(Resume)
            .where(Resume.id == item.resume_id)
            .values(embedding=item.vector, embedding_model=model_id, content_hash=item.text_hash)
        )
    ids = [i.resume_id for i in items]
    await session.execute(
        delete(SearchChunk).where(
            SearchChunk.doc_type == DocType.RESUME, SearchChunk.doc_id.in_(ids)
        )
    )
    rows = [
        {
            "doc_type": DocType.RESUME,
            "doc_id": item.resume_id,
            "ordinal": n,
            "text": text,
            "embedding": vector,
            "embedding_model": model_id,
            "content_hash": content_hash(text),
        }
        for item in items
        for n, (text, vector) in enumerate(item.chunks)
    ]
    if rows:
        await session.execute(insert(SearchChunk), rows)


async def embed_and_store_resumes(
    session: AsyncSession, items: Sequence[tuple[uuid.UUID, str]], embedder: Embedder
) -> int:
    vectors = await asyncio.to_thread(embed_resumes, items, embedder)
    await store_resume_vectors(session, vectors, embedder.model_id)
    return len(vectors)
