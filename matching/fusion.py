"""Reciprocal rank fusion (Cormack, Clarke & Büttcher, SIGIR 2009): one ranking from several.

Pure and deterministic. Scores of different retrievers (BM25, cosine) are not comparable; ranks
are, so each signal contributes ``weight / (k + rank)`` for every id it ranked. Each fused hit
keeps the rank every signal gave it, so an explanation can say "3rd by keywords, 12th by meaning".
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast, overload

from indexing.protocol import Hit

IdT = TypeVar("IdT", bound=Hashable)


@dataclass(frozen=True)
class FusedHit(Generic[IdT]):
    """A fused result: ``ranks[signal]`` is the 1-based rank that signal gave it, or None."""

    id: IdT
    score: float
    ranks: dict[str, int | None]

    @property
    def best_rank(self) -> int:
        """The best (smallest) rank any signal gave this id."""
        return min(r for r in self.ranks.values() if r is not None)


@overload
def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[Hit]],
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> list[FusedHit[uuid.UUID]]: ...


@overload
def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[IdT]],
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> list[FusedHit[IdT]]: ...


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[Hit]] | Mapping[str, Sequence[IdT]],
    k: int = 60,
    weights: Mapping[str, float] | None = None,
) -> list[FusedHit[IdT]] | list[FusedHit[uuid.UUID]]:
    """Fuse rankings (best first; :class:`Hit` values or bare ids) into one, best first.

    ``score = sum over signals of weight[signal] / (k + rank)``; a signal without a weight weighs
    1. The rank of an item is its position in its list (a repeated id keeps its first position).
    Ties break by the best rank any signal gave, then in favour of the earliest-listed signal
    that gave it (the id's text is the last resort): equal inputs always give the same order.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be a non-negative integer, not {k!r}")
    weights = dict(weights or {})
    unknown = set(weights) - set(rankings)
    if unknown:
        raise ValueError(f"weights name signals that have no ranking: {sorted(unknown)}")
    for name, w in weights.items():
        if not math.isfinite(w) or w < 0:
            raise ValueError(f"weight of {name!r} must be a finite number >= 0, not {w!r}")

    signals = list(rankings)
    ranks: dict[Hashable, dict[str, int | None]] = {}
    for signal in signals:
        for position, item in enumerate(rankings[signal], start=1):
            doc_id: Hashable = item.id if isinstance(item, Hit) else item
            per_doc = ranks.get(doc_id)
            if per_doc is None:
                per_doc = dict.fromkeys(signals)
                ranks[doc_id] = per_doc
            if per_doc[signal] is None:
                per_doc[signal] = position

    fused: list[FusedHit[Hashable]] = []
    for doc_id, per_doc in ranks.items():
        # Summed in the signals' listed order, so equal inputs give bit-identical scores.
        score = 0.0
        for signal in signals:
            rank = per_doc[signal]
            if rank is not None:
                score += weights.get(signal, 1.0) / (k + rank)
        fused.append(FusedHit(id=doc_id, score=score, ranks=per_doc))

    def order(h: FusedHit[Hashable]) -> tuple[float, int, int, str]:
        best = h.best_rank
        by = next(i for i, s in enumerate(signals) if h.ranks[s] == best)
        return (-h.score, best, by, str(h.id))

    fused.sort(key=order)
    return cast(list[Any], fused)
