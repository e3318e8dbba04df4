"""Semantic linking: skill phrases the taxonomy does not name exactly, linked to ESCO labels.

A phrase ("managing the team's budget") is embedded with the product's encoder
(all-MiniLM-L6-v2, :mod:`indexing.embedder`) and compared (cosine) with the ESCO skill labels
embedded ahead of time by ``scripts/build_skill_vectors.py`` (``ingestion/data/
skill_vectors.npz``, int8). The nearest label is accepted when its similarity reaches
:data:`LINK_THRESHOLD`, a value tuned on the validation sentences of the TECH / HOUSE skill
benchmark (``tabashir evaluate skills`` reports it with a cross-validated threshold).

Candidate phrases come from :func:`candidate_phrases`: the text cut at punctuation and
conjunctions into chunks of at most :data:`MAX_PHRASE_WORDS` words.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from indexing.embedder import Embedder

VECTORS_PATH = Path(__file__).resolve().parent / "data" / "skill_vectors.npz"
#: Cosine similarity a phrase needs to its nearest ESCO label: the grid value with the best
#: micro F1 on all TECH + HOUSE validation sentences (one link per sentence,
#: ``ingestion.evaluate.tune_threshold``); the figures quoted use per-fold thresholds instead.
LINK_THRESHOLD = 0.525
MAX_PHRASE_WORDS = 8

_SPLIT = re.compile(r"[,;:.()\[\]/•|!?\n]+|\s+(?:and|or|&|with|including|such as|e\.g\.)\s+", re.I)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise symmetric int8 quantisation: ``vectors ~= q * scale[:, None]``."""
    scale = np.maximum(np.abs(vectors).max(axis=1), 1e-12) / 127.0
    q = np.round(vectors / scale[:, None]).astype(np.int8)
    return q, scale.astype(np.float32)


def candidate_phrases(text: str) -> list[str]:
    """Chunks of ``text`` between punctuation and conjunctions, 1..MAX_PHRASE_WORDS words."""
    out: list[str] = []
    for piece in _SPLIT.split(text):
        words = piece.split()
        if not words or not re.search(r"[^\W\d_]{2}", piece):
            continue
        if len(words) > MAX_PHRASE_WORDS:
            words = words[:MAX_PHRASE_WORDS]
        phrase = " ".join(words)
        if phrase not in out:
            out.append(phrase)
    return out


@dataclass(frozen=True)
class Link:
    phrase: str
    skill_id: str
    similarity: float


class SkillLinker:
    """Nearest ESCO label of each phrase (loaded once; thread-safe reads)."""

    def __init__(self, embedder: Embedder, path: Path = VECTORS_PATH) -> None:
        data = np.load(path)
        self.ids: list[str] = [str(x) for x in data["ids"]]
        self.matrix = (data["vectors"].astype(np.float32) * data["scale"][:, None]).astype(
            np.float32
        )
        self.matrix /= np.maximum(np.linalg.norm(self.matrix, axis=1, keepdims=True), 1e-12)
        self.embedder = embedder

    def nearest(self, phrases: list[str]) -> list[Link]:
        """The nearest label of every phrase, whatever its similarity."""
        if not phrases:
            return []
        sims = self.embedder.embed(phrases) @ self.matrix.T
        best = sims.argmax(axis=1)
        return [
            Link(p, self.ids[int(j)], float(sims[i, j]))
            for i, (p, j) in enumerate(zip(phrases, best, strict=True))
        ]

    def link(self, phrases: list[str], threshold: float = LINK_THRESHOLD) -> list[Link]:
        """Each phrase's nearest label, kept when close enough (phrases known to be skills)."""
        return [x for x in self.nearest(phrases) if x.similarity >= threshold]

    def link_text(self, text: str, threshold: float = LINK_THRESHOLD) -> Link | None:
        """The one closest phrase-label pair of a free text (a job-ad sentence), if close
        enough: one link per text scored better than one per phrase on the validation folds."""
        near = self.nearest(candidate_phrases(text))
        best = max(near, key=lambda x: x.similarity, default=None)
        return best if best is not None and best.similarity >= threshold else None


_lock = threading.Lock()
_linker: SkillLinker | None = None


def linking_available() -> bool:
    return VECTORS_PATH.exists()


def get_linker() -> SkillLinker:
    """The shared linker over the product's embedder (loaded on first use)."""
    global _linker
    with _lock:
        if _linker is None:
            from indexing.embedder import SentenceTransformerEmbedder

            _linker = SkillLinker(SentenceTransformerEmbedder())
        return _linker
