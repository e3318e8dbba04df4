"""Ranking quality metrics: nDCG@k, average precision, Recall@k, reciprocal rank. Pure functions.

``ranked`` is a ranking (best first) of ids; ``relevance`` maps ids to graded relevance (0 = not
relevant). Ids missing from ``relevance`` count as 0.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from statistics import fmean
from typing import TypeVar

Id = TypeVar("Id", bound=Hashable)


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Discounted cumulative gain with the exponential gain 2^rel - 1 (Järvelin & Kekäläinen)."""
    return float(sum((2.0**g - 1.0) / math.log2(i + 2) for i, g in enumerate(gains[:k])))


def ndcg_at_k(ranked: Sequence[Id], relevance: Mapping[Id, float], k: int = 10) -> float:
    """nDCG@k in [0, 1]; 0 when nothing is relevant (no ideal ranking to compare against)."""
    ideal = dcg_at_k(sorted(relevance.values(), reverse=True), k)
    if ideal == 0:
        return 0.0
    return dcg_at_k([relevance.get(i, 0.0) for i in ranked], k) / ideal


def average_precision(ranked: Sequence[Id], relevance: Mapping[Id, float]) -> float:
    """Mean of precision at each relevant hit, over all relevant ids (missed ones count 0)."""
    relevant = {i for i, r in relevance.items() if r > 0}
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    for rank, i in enumerate(ranked, start=1):
        if i in relevant:
            hits += 1
            total += hits / rank
    return total / len(relevant)


def recall_at_k(ranked: Sequence[Id], relevance: Mapping[Id, float], k: int) -> float:
    relevant = {i for i, r in relevance.items() if r > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def reciprocal_rank(ranked: Sequence[Id], relevance: Mapping[Id, float]) -> float:
    for rank, i in enumerate(ranked, start=1):
        if relevance.get(i, 0.0) > 0:
            return 1.0 / rank
    return 0.0


def summarise(
    runs: Sequence[tuple[Sequence[Id], Mapping[Id, float]]], k: int = 10, recall_k: int = 50
) -> dict[str, float]:
    """Mean nDCG@k, MAP, Recall@recall_k and MRR over queries (ranking, relevance)."""
    if not runs:
        return {f"nDCG@{k}": 0.0, "MAP": 0.0, f"Recall@{recall_k}": 0.0, "MRR": 0.0}
    return {
        f"nDCG@{k}": fmean(ndcg_at_k(r, rel, k) for r, rel in runs),
        "MAP": fmean(average_precision(r, rel) for r, rel in runs),
        f"Recall@{recall_k}": fmean(recall_at_k(r, rel, recall_k) for r, rel in runs),
        "MRR": fmean(reciprocal_rank(r, rel) for r, rel in runs),
    }
