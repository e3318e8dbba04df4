from __future__ import annotations

import itertools
import random
import uuid

import pytest

from indexing.protocol import Hit
from matching.fusion import FusedHit, reciprocal_rank_fusion

pytestmark = pytest.mark.unit


def hits(*ids: uuid.UUID) -> list[Hit]:
    return [Hit(id=i, score=100.0 - n, rank=n) for n, i in enumerate(ids, start=1)]


A, B, C, D = (uuid.UUID(int=n) for n in range(1, 5))


def test_scores_are_the_sum_of_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion({"bm25": hits(A, B, C), "vector": hits(B, A, D)}, k=60)
    by_id = {h.id: h for h in fused}
    assert by_id[A].score == pytest.approx(1 / 61 + 1 / 62)
    assert by_id[C].score == pytest.approx(1 / 63)
    assert by_id[D].score == pytest.approx(1 / 63)
    assert len(fused) == 4


def test_each_signal_keeps_its_rank_and_none_where_it_missed() -> None:
    fused = reciprocal_rank_fusion({"bm25": hits(A, B, C), "vector": hits(B, D)})
    by_id = {h.id: h for h in fused}
    assert by_id[C].ranks == {"bm25": 3, "vector": None}
    assert by_id[D].ranks == {"bm25": None, "vector": 2}
    assert by_id[B].ranks == {"bm25": 2, "vector": 1}
    assert by_id[B].best_rank == 1


def test_an_id_in_both_lists_beats_one_in_a_single_list() -> None:
    fused = reciprocal_rank_fusion({"bm25": hits(A, B), "vector": hits(C, B)})
    assert fused[0].id == B


def test_ties_break_by_best_rank_then_signal_order_then_id() -> None:
    # A: 1st in bm25 only; B: 1st in vector only -> equal scores and equal best ranks; bm25 is
    # listed first, so A wins. C and D: 2nd in one list each, same reasoning.
    fused = reciprocal_rank_fusion({"bm25": hits(A, C), "vector": hits(B, D)})
    assert [h.id for h in fused] == [A, B, C, D]
    swapped = reciprocal_rank_fusion({"vector": hits(B, D), "bm25": hits(A, C)})
    assert [h.id for h in swapped] == [B, A, D, C]
    # Mirror rankings: equal scores and best ranks; the first-listed signal's favourite wins.
    same = reciprocal_rank_fusion({"x": ["b", "a"], "y": ["a", "b"]})
    assert [h.id for h in same] == ["b", "a"]


def test_the_result_does_not_depend_on_dict_iteration_of_ids() -> None:
    ids = [uuid.UUID(int=n) for n in range(1, 200)]
    rng = random.Random(1)
    lists = {name: rng.sample(ids, 120) for name in ("bm25", "vector", "chunks")}
    first = reciprocal_rank_fusion(lists)
    second = reciprocal_rank_fusion({k: list(v) for k, v in lists.items()})
    assert [(h.id, h.score) for h in first] == [(h.id, h.score) for h in second]
    assert all(a.score >= b.score for a, b in itertools.pairwise(first))


def test_weights_scale_a_signal() -> None:
    fused = reciprocal_rank_fusion(
        {"bm25": hits(A, B), "vector": hits(B, A)}, weights={"bm25": 2.0}
    )
    assert fused[0].id == A
    assert fused[0].score == pytest.approx(2 / 61 + 1 / 62)
    muted = reciprocal_rank_fusion({"bm25": hits(A), "vector": hits(B)}, weights={"bm25": 0.0})
    assert [h.id for h in muted] == [B, A]
    assert muted[1].score == 0.0
    assert muted[1].ranks == {"bm25": 1, "vector": None}


def test_a_repeated_id_keeps_its_first_rank() -> None:
    fused = reciprocal_rank_fusion({"bm25": [A, B, A]})
    assert {h.id: h.ranks["bm25"] for h in fused} == {A: 1, B: 2}
    assert fused[0].score == pytest.approx(1 / 61)


def test_bare_ids_and_empty_inputs() -> None:
    assert reciprocal_rank_fusion({}) == []
    assert reciprocal_rank_fusion({"bm25": [], "vector": []}) == []
    fused = reciprocal_rank_fusion({"a": ["x", "y"]})
    assert fused == [
        FusedHit(id="x", score=pytest.approx(1 / 61), ranks={"a": 1}),
        FusedHit(id="y", score=pytest.approx(1 / 62), ranks={"a": 2}),
    ]


@pytest.mark.parametrize(
    ("k", "weights"),
    [(-1, None), (1.5, None), (60, {"nope": 1.0}), (60, {"a": -1.0}), (60, {"a": float("nan")})],
)
def test_bad_arguments_are_refused(k: object, weights: dict[str, float] | None) -> None:
    with pytest.raises(ValueError, match=r"k must be|weight"):
        reciprocal_rank_fusion({"a": ["x"]}, k=k, weights=weights)  # type: ignore[arg-type]
