from __future__ import annotations

import math

import pytest

from matching.metrics import (
    average_precision,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank,
    summarise,
)

pytestmark = pytest.mark.unit


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise() -> None:
    rel = {"a": 2, "b": 1, "c": 0}
    assert ndcg_at_k(["a", "b", "c"], rel, 10) == pytest.approx(1.0)
    worse = ndcg_at_k(["c", "b", "a"], rel, 10)
    # By hand: DCG = 0 + 1/log2(3) + 3/log2(4); IDCG = 3 + 1/log2(3).
    expected = (1 / math.log2(3) + 3 / 2) / (3 + 1 / math.log2(3))
    assert worse == pytest.approx(expected)
    assert ndcg_at_k(["x"], {}, 10) == 0.0


def test_ndcg_cuts_at_k() -> None:
    rel = {"a": 1}
    assert ndcg_at_k(["x", "y", "a"], rel, 2) == 0.0
    assert ndcg_at_k(["x", "y", "a"], rel, 3) == pytest.approx(0.5)


def test_average_precision_counts_missed_relevant_items() -> None:
    rel = {"a": 1, "b": 1}
    assert average_precision(["a", "x", "b"], rel) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision(["a"], rel) == pytest.approx(0.5)


def test_recall_and_reciprocal_rank() -> None:
    rel = {"a": 1, "b": 2, "c": 0}
    assert recall_at_k(["x", "a", "y", "b"], rel, 2) == 0.5
    assert recall_at_k(["x", "a", "y", "b"], rel, 4) == 1.0
    assert reciprocal_rank(["c", "x", "b"], rel) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], rel) == 0.0


def test_summarise_averages_over_queries() -> None:
    runs = [(["a"], {"a": 1}), (["x"], {"a": 1})]
    s = summarise(runs, k=10, recall_k=50)
    assert s == {"nDCG@10": 0.5, "MAP": 0.5, "Recall@50": 0.5, "MRR": 0.5}
