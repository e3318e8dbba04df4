"""Title vectors: each distinct job title, and each CV's titles, embedded once and kept by text.

Matching compares a CV with a job title by meaning (a "Python Developer" ad reads close to a
"Software Engineer" CV) rather than by shared words. Titles repeat across jobs, so the vectors live
in ``title_embeddings`` keyed by the exact text, written when a job or CV is embedded and read by
the matching queries with a join.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from indexing.embedder import Embedder
from models.search import TitleEmbedding

#: What a title is embedded as: an English rendering of an Arabic title ("مهندس برمجيات" ->
#: "Software Engineer"), or None to embed it as written. The English encoder reads English, so
#: a gloss is what lets an Arabic title sit close to its English twin.
TitleGloss = Callable[[str], str | None]

#: A CV's title text joins at most this many of its titles (the stated one, then the latest jobs).
MAX_CV_TITLES = 3
#: Longer titles are cut: a "title" this long is a parsing accident, and keys stay small.
MAX_TITLE_CHARS = 200


def clean_title(title: str | None) -> str | None:
    """``title`` with its whitespace collapsed and cut to :data:`MAX_TITLE_CHARS`; None if empty."""
    text = " ".join((title or "").split())[:MAX_TITLE_CHARS].strip()
    return text or None


def title_text(titles: Iterable[str | None]) -> str | None:
    """The text a CV's titles are embedded from: the first :data:`MAX_CV_TITLES` distinct ones
    of ``titles`` (its stated title, then its latest jobs), joined by "; ". None when none."""
    out: list[str] = []
    for raw in titles:
        title = clean_title(raw)
        if title and title.casefold() not in {t.casefold() for t in out}:
            out.append(title)
        if len(out) == MAX_CV_TITLES:
            break
    return "; ".join(out) or None


def cv_title_text(parsed: Mapping[str, Any] | None) -> str | None:
    """:func:`title_text` of a parsed CV's stated title and job titles."""
    parsed = parsed or {}
    jobs = [e.get("title") for e in parsed.get("employment") or () if isinstance(e, Mapping)]
    return title_text([parsed.get("title"), *jobs])


async def stored_title_vectors(
    session: AsyncSession, titles: Iterable[str]
) -> dict[str, list[float]]:
    """The stored vectors of ``titles`` that have one, by title text."""
    wanted = list(dict.fromkeys(titles))
    if not wanted:
        return {}
    rows = await session.execute(
        select(TitleEmbedding.title, TitleEmbedding.embedding).where(
            TitleEmbedding.title.in_(wanted)
        )
    )
    return {title: [float(x) for x in vector] for title, vector in rows.all()}


def glossed(title: str, gloss: TitleGloss | None) -> str:
    """``title`` as it is embedded: each "; "-separated part through ``gloss`` when it has one."""
    if gloss is None:
        return title
    return "; ".join(gloss(part) or part for part in title.split("; "))


def embed_titles(
    titles: Sequence[str], embedder: Embedder, gloss: TitleGloss | None = None
) -> np.ndarray:
    """Unit vectors of ``titles`` (through ``gloss``), one row each. CPU-heavy: run it off the
    event loop."""
    return embedder.embed([glossed(t, gloss) for t in titles])


async def ensure_title_vectors(
    session: AsyncSession,
    titles: Iterable[str | None],
    embedder: Embedder,
    gloss: TitleGloss | None = None,
) -> int:
    """Embed and store the titles among ``titles`` that have no vector yet (of this model). Each
    is keyed by its exact text (a job's title as stored, a CV's :func:`cv_title_text`).

    Returns how many were embedded. Concurrent writers may embed the same title; the first row
    stays (the vectors are the same)."""
    wanted = [t for t in dict.fromkeys(titles) if t and t.strip()]
    if not wanted:
        return 0
    rows = await session.execute(
        select(TitleEmbedding.title).where(
            TitleEmbedding.title.in_(wanted),
            TitleEmbedding.embedding_model == embedder.model_id,
        )
    )
    have = set(rows.scalars())
    missing = [t for t in wanted if t not in have]
    if not missing:
        return 0
    vectors = await asyncio.to_thread(embed_titles, missing, embedder, gloss)
    stmt = insert(TitleEmbedding).values(
        [
            {"title": t, "embedding": v.tolist(), "embedding_model": embedder.model_id}
            for t, v in zip(missing, vectors, strict=True)
        ]
    )
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=[TitleEmbedding.title],
            set_={
                "embedding": stmt.excluded.embedding,
                "embedding_model": stmt.excluded.embedding_model,
            },
            where=TitleEmbedding.embedding_model != stmt.excluded.embedding_model,
        )
    )
    return len(missing)
