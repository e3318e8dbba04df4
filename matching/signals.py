"""The score's signals for many CV–job pairs at once, in memory, for fitting and evaluation.

Each signal is computed with the product's own pieces, as :func:`matching.engine.pair_signals`
computes it in SQL for one CV: the CV's vector is the mean of its chunk vectors
(:func:`indexing.resumes.embed_resumes`), a job's is the mean of its chunks', titles are embedded
by :func:`indexing.titles.embed_titles`, the profile is :func:`matching.profiles.candidate_profile`
of :func:`ingestion.cv_parser.parse_cv`, and skills overlap by :func:`matching.features.skill_overlap`
with the rarity weights of :func:`matching.profiles.job_profile`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexing.documents import job_text
from indexing.embedder import Embedder, SentenceTransformerEmbedder
from indexing.resumes import embed_resumes
from indexing.titles import embed_titles, title_text
from matching.features import SIGNALS, skill_overlap
from matching.profiles import job_skill_weights, profile_of_text
from matching.realtext import RefJob, RefQuery


@dataclass(frozen=True)
class SignalTable:
    """One query's signals against every job of its set (NaN where a signal is missing)."""

    query: str
    grades: tuple[int, ...]
    values: dict[str, np.ndarray]


class CachedEmbedder:
    """An embedder that remembers the vector of every text it saw, on disk (offline tools only:
    the vectors of a text under one model never change)."""

    def __init__(self, folder: Path, inner: Embedder | None = None) -> None:
        self._inner = inner or SentenceTransformerEmbedder()
        self._path = folder / f"{self._inner.model_id.replace('/', '_')}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        if self._path.exists():
            with np.load(self._path) as data:
                self._vectors = {k: data[k] for k in data.files}

    @property
    def model_id(self) -> str:
        return self._inner.model_id

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def embed(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if self._key(t) not in self._vectors))
        if missing:
            for text, vector in zip(missing, self._inner.embed(missing), strict=True):
                self._vectors[self._key(text)] = vector
        if not texts:
            return np.zeros((0, self.dimension), np.float32)
        return np.stack([self._vectors[self._key(t)] for t in texts])

    def save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(self._path, **self._vectors)  # type: ignore[arg-type]


@dataclass(frozen=True)
class JobVectors:
    documents: np.ndarray  # (jobs, dim)
    chunks: list[np.ndarray]  # per job, (chunks, dim)
    titles: np.ndarray  # (jobs, dim)


def job_vectors(jobs: Sequence[RefJob], embedder: Embedder) -> JobVectors:
    """Each job's vector, chunk vectors and title vector. The chunks and their normalised mean
    come from :func:`indexing.resumes.embed_resumes`, which cuts and averages any text exactly as
    indexing does for a job."""
    texts = [
        (uuid.UUID(int=i), job_text(j.title, "", j.description, [], j.skills))
        for i, j in enumerate(jobs)
    ]
    embedded = embed_resumes(texts, embedder)
    docs = np.zeros((len(jobs), embedder.dimension), np.float32)
    chunks: list[np.ndarray] = []
    for i, item in enumerate(embedded):
        chunks.append(
            np.asarray([v for _, v in item.chunks], np.float32).reshape(-1, embedder.dimension)
        )
        if item.vector is not None:
            docs[i] = item.vector
    return JobVectors(docs, chunks, embed_titles([j.title for j in jobs], embedder))


def query_signals(
    query: RefQuery, jobs: Sequence[RefJob], vectors: JobVectors, embedder: Embedder
) -> SignalTable:
    """The signals of one CV against every job."""
    profile = profile_of_text(query.text)
    cv = embed_resumes([(uuid.UUID(int=0), query.text)], embedder)[0].vector
    n = len(jobs)
    values = {name: np.full(n, np.nan) for name in SIGNALS}
    if cv is not None:
        v = np.asarray(cv, dtype=np.float32)
        values["semantic"] = vectors.documents @ v
        values["chunk"] = np.array(
            [float((c @ v).max()) if len(c) else np.nan for c in vectors.chunks]
        )
        values["role"] = vectors.titles @ v
    titles = title_text(profile.titles)
    if titles:
        values["title"] = vectors.titles @ embed_titles([titles], embedder)[0]
    skills = np.full(n, np.nan)
    for i, job in enumerate(jobs):
        labels, weights = job_skill_weights(tuple(job.skills))
        overlap, _, _ = skill_overlap(profile.skills, labels, weights)
        if overlap is not None:
            skills[i] = overlap
    values["skills"] = skills
    return SignalTable(query.name, query.grades, values)


def signal_tables(
    jobs: Sequence[RefJob], query_sets: Sequence[Sequence[RefQuery]], embedder: Embedder
) -> list[list[SignalTable]]:
    """The signal tables of every query of every set against ``jobs``."""
    vectors = job_vectors(jobs, embedder)
    return [[query_signals(q, jobs, vectors, embedder) for q in queries] for queries in query_sets]
