"""Semantic skill linking: candidate phrases, nearest-label links, threshold tuning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from indexing.embedder import HashingEmbedder
from ingestion.evaluate import _predict, _Sentence, tune_threshold
from ingestion.skill_linking import (
    VECTORS_PATH,
    SkillLinker,
    candidate_phrases,
    linking_available,
    quantise,
)
from ingestion.skills import is_not_a_skill


@pytest.mark.unit
def test_candidate_phrases_cut_at_punctuation_and_conjunctions() -> None:
    phrases = candidate_phrases("Experience with SQL and Python; managing budgets (monthly).")
    assert phrases == ["Experience", "SQL", "Python", "managing budgets", "monthly"]
    assert candidate_phrases("2019 - 2020, 42") == []
    long = candidate_phrases(" ".join(["word"] * 20))
    assert len(long[0].split()) == 8


@pytest.mark.unit
def test_quantised_vectors_keep_their_direction() -> None:
    rng = np.random.default_rng(0)
    v = rng.normal(size=(20, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    q, scale = quantise(v)
    assert q.dtype == np.int8
    back = q.astype(np.float32) * scale[:, None]
    cos = (back * v).sum(axis=1) / np.linalg.norm(back, axis=1)
    assert cos.min() > 0.999


@pytest.mark.unit
def test_linker_links_each_phrase_to_its_nearest_label(tmp_path: Path) -> None:
    emb = HashingEmbedder()
    labels = {"esco:budget": "manage budgets", "esco:sql": "SQL", "esco:cook": "cook meals"}
    q, scale = quantise(emb.embed(list(labels.values())))
    path = tmp_path / "vectors.npz"
    np.savez(path, ids=np.array(list(labels)), vectors=q, scale=scale, model=np.array("hashing"))
    linker = SkillLinker(emb, path)
    near = linker.nearest(["manage budgets", "sql", "fly kites"])
    assert [x.skill_id for x in near[:2]] == ["esco:budget", "esco:sql"]
    assert near[0].similarity > 0.99
    kept = linker.link(["manage budgets", "fly kites"], threshold=0.5)
    assert [x.phrase for x in kept] == ["manage budgets"]


@pytest.mark.unit
def test_threshold_tuning_picks_the_best_f1_on_its_sentences() -> None:
    sents = [
        _Sentence({"a"}, [], [("a", 0.8), ("x", 0.6)]),
        _Sentence({"b"}, ["b"], [("y", 0.55)]),
        _Sentence({"c"}, [], [("c", 0.72)]),
    ]
    t = tune_threshold(sents)
    assert 0.55 < t <= 0.72  # keeps a and c (each sentence's best link), drops y
    assert _predict(sents[0], t) == ["a"]
    assert _predict(sents[1], None) == ["b"]


@pytest.mark.unit
def test_noise_words_are_not_skills() -> None:
    for word in ("Email", "history", "EMPLOYMENT HISTORY", "www.indeed.com/r/x", "English"):
        assert is_not_a_skill(word)
    assert not is_not_a_skill("English", in_languages=True)
    assert not is_not_a_skill("Python")


@pytest.mark.unit
def test_shipped_label_vectors_cover_the_esco_skills() -> None:
    if not linking_available():
        pytest.skip("no label vectors in this checkout")
    data = np.load(VECTORS_PATH)
    assert data["vectors"].dtype == np.int8
    assert data["vectors"].shape == (len(data["ids"]), 384)
    assert all(str(i).startswith("esco:") for i in data["ids"][:50])


@pytest.mark.unit
def test_parser_links_unresolved_skill_spans_when_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingestion import skill_linking
    from ingestion.cv_ner import Span
    from ingestion.cv_parser import parse_cv_rules
    from ingestion.cv_structure import structure

    emb = HashingEmbedder()
    q, scale = quantise(emb.embed(["zorbling quuxes"]))
    path = tmp_path / "vectors.npz"
    np.savez(path, ids=np.array(["esco:zq"]), vectors=q, scale=scale, model=np.array("hashing"))
    monkeypatch.setattr(skill_linking, "_linker", SkillLinker(emb, path))
    monkeypatch.setattr(skill_linking, "VECTORS_PATH", path)
    text = "Anna Lee\n\nSKILLS\nzorbling quuxes\n"
    start = text.index("zorbling")
    sp = [Span("SKILL", "zorbling quuxes", start, start + len("zorbling quuxes"))]
    rules_cv = parse_cv_rules(text)
    plain = structure(text, sp, rules_cv)
    linked = structure(text, sp, rules_cv, link=True)
    assert {s.name: s.skill_id for s in plain.skills}["zorbling quuxes"] is None
    assert {s.name: s.skill_id for s in linked.skills}["zorbling quuxes"] == "esco:zq"
