"""Fit the matching score's model (``matching/data/score_model.json``) on real text.

Data: the dotin CVs (CC0) against O*NET 29.2 occupations written as jobs (CC BY 4.0), relevance
from the annotators' job titles, with titles shown and with titles masked
(:mod:`matching.realtext`). ESCO occupations are *not* used here: they are the evaluation's
held-out corpus.

The CVs are parsed by the rule parser (the span model was trained on these very CVs). The
signals of every CV–occupation pair are computed with the product's own functions (chunk
vectors and their mean as a stored CV has them, title vectors, the parsed profile, the rarity
weighted skill overlap). The model (``matching.features``): each signal standardised by its mean
and spread over the training pairs; ``z = (z_semantic + z_chunk) / 2 + sum(w * z_evidence)`` with
evidence weights in [0, 1]; ``score = sigmoid(scale * z + bias)``. Weights, scale and bias
minimise the class-balanced logistic loss of "the occupation is the CV's" (grade 2), with L-BFGS-B
under those bounds. Every figure printed is 5-fold cross-validated by CV (a CV's masked and shown
versions share a fold); the shipped model is then fitted on all of it. Seeded, deterministic.

    python scripts/fit_match_model.py [--data ../shared/data] [--cache var/eval-cache] [--write]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The CVs are parsed by the rules: the span model was trained on these same dotin CVs, and
# reading its training data would make the title and skill signals look better than they are.
os.environ.setdefault("TABASHIR_INGEST_CV_PARSER", "rules")

from matching.features import BACKBONE, MODEL_FILE, SIGNALS, ScoreModel
from matching.metrics import average_precision, ndcg_at_k
from matching.realtext import RefJob, RefQuery, dotin_queries, onet_jobs
from matching.signals import CachedEmbedder, SignalTable, signal_tables

SEED = 20261207
EVIDENCE = tuple(s for s in SIGNALS if s not in BACKBONE)


def _standardise(tables: list[SignalTable]) -> tuple[dict[str, float], dict[str, float]]:
    mean: dict[str, float] = {}
    std: dict[str, float] = {}
    for name in SIGNALS:
        values = np.concatenate([t.values[name][~np.isnan(t.values[name])] for t in tables])
        mean[name] = float(values.mean())
        std[name] = float(values.std()) or 1.0
    return mean, std


def _z(table: SignalTable, mean: dict[str, float], std: dict[str, float]) -> np.ndarray:
    """Standardised signals of one table, (jobs x signals), missing values at 0 (average)."""
    cols = [np.nan_to_num((table.values[s] - mean[s]) / std[s], nan=0.0) for s in SIGNALS]
    return np.stack(cols, axis=1)


def fit(tables: list[SignalTable], l2: float = 1e-3) -> ScoreModel:
    """The model minimising the class-balanced logistic loss over ``tables``' pairs."""
    mean, std = _standardise(tables)
    z = np.concatenate([_z(t, mean, std) for t in tables])
    y = np.concatenate([(np.asarray(t.grades) >= 2).astype(float) for t in tables])
    backbone = z[:, [SIGNALS.index(s) for s in BACKBONE]].mean(axis=1)
    evidence = z[:, [SIGNALS.index(s) for s in EVIDENCE]]
    weight = np.where(y > 0, (len(y) - y.sum()) / max(y.sum(), 1.0), 1.0)
    total = weight.sum()

    def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
        scale, bias, w = p[0], p[1], p[2:]
        lin = backbone + evidence @ w
        t = scale * lin + bias
        value = np.logaddexp(0, -t) * y + np.logaddexp(0, t) * (1 - y)
        g = (1 / (1 + np.exp(-t)) - y) * weight
        grad = np.concatenate(
            [[g @ lin / total, g.sum() / total], scale * (evidence.T @ g) / total]
        )
        grad[2:] += 2 * l2 * w
        return float((weight * value).sum() / total + l2 * (w @ w)), grad

    start = np.array([1.0, 0.0, *([0.5] * len(EVIDENCE))])
    bounds = [(1e-3, None), (None, None), *([(0.0, 1.0)] * len(EVIDENCE))]
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    scale, bias, *w = (float(x) for x in result.x)
    return ScoreModel(
        mean=mean,
        std=std,
        weights=dict(zip(EVIDENCE, (round(x, 4) for x in w), strict=True)),
        scale=round(scale, 4),
        bias=round(bias, 4),
    )


def final_scores(table: SignalTable, model: ScoreModel) -> np.ndarray:
    """The score's linear part for every job of ``table`` (fit checks are neutral here)."""
    z = _z(table, dict(model.mean), dict(model.std))
    backbone = z[:, [SIGNALS.index(s) for s in BACKBONE]].mean(axis=1)
    weights = np.array([model.weights[s] for s in EVIDENCE])
    out: np.ndarray = backbone + z[:, [SIGNALS.index(s) for s in EVIDENCE]] @ weights
    return out


def ranking_metrics(tables: list[SignalTable], scores: list[np.ndarray]) -> dict[str, float]:
    """MAP and AUC (grade 2 relevant), nDCG@10 (graded), averaged over queries. Ties broken by
    job order, as the engine breaks them by id."""
    aps, aucs, ndcgs = [], [], []
    for table, s in zip(tables, scores, strict=True):
        grades = np.asarray(table.grades)
        order = np.lexsort((np.arange(len(s)), -s))
        ranked = [str(i) for i in order]
        relevant = {str(i): float(g) for i, g in enumerate(grades) if g >= 2}
        graded = {str(i): float(g) for i, g in enumerate(grades) if g > 0}
        aps.append(average_precision(ranked, relevant))
        ndcgs.append(ndcg_at_k(ranked, graded, 10))
        pos = s[grades >= 2]
        neg = s[grades < 2]
        if len(pos) and len(neg):
            ranks = np.argsort(np.argsort(np.concatenate([pos, neg]), kind="stable"), kind="stable")
            aucs.append(
                (ranks[: len(pos)].sum() - len(pos) * (len(pos) - 1) / 2) / (len(pos) * len(neg))
            )
    return {
        "MAP": float(np.mean(aps)),
        "AUC": float(np.mean(aucs)),
        "nDCG@10": float(np.mean(ndcgs)),
    }


def cross_validate(
    shown: list[SignalTable], masked: list[SignalTable], folds: int = 5
) -> dict[str, dict[str, dict[str, float]]]:
    """Per variant (shown / masked): the final score's metrics, each CV scored by a model fitted
    on the other folds, beside every single signal."""
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(shown))
    parts = np.array_split(order, folds)
    finals: dict[str, list[np.ndarray | None]] = {
        "shown": [None] * len(shown),
        "masked": [None] * len(shown),
    }
    for part in parts:
        held = set(part.tolist())
        train = [t for i, t in enumerate(shown) if i not in held]
        train += [t for i, t in enumerate(masked) if i not in held]
        model = fit(train)
        for i in part:
            finals["shown"][i] = final_scores(shown[i], model)
            finals["masked"][i] = final_scores(masked[i], model)
    out: dict[str, dict[str, dict[str, float]]] = {}
    for variant, tables in (("shown", shown), ("masked", masked)):
        # A signal alone ranks the jobs it is missing for as average, as the score counts them.
        mean, _ = _standardise(tables)
        rows = {
            name: ranking_metrics(
                tables, [np.nan_to_num(t.values[name], nan=mean[name]) for t in tables]
            )
            for name in SIGNALS
        }
        rows["final (5-fold)"] = ranking_metrics(
            tables, [f for f in finals[variant] if f is not None]
        )
        out[variant] = rows
    return out


def _markdown(report: dict[str, dict[str, dict[str, float]]]) -> str:
    lines = []
    for variant, rows in report.items():
        lines.append(f"\n**dotin x O*NET, titles {variant}**\n")
        lines.append("| signal | MAP | AUC | nDCG@10 |\n|---|---:|---:|---:|")
        for name, m in rows.items():
            lines.append(f"| {name} | {m['MAP']:.3f} | {m['AUC']:.3f} | {m['nDCG@10']:.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    parser.add_argument("--cache", type=Path, default=Path("var/eval-cache"))
    parser.add_argument("--write", action="store_true", help=f"write {MODEL_FILE}")
    args = parser.parse_args()
    started = time.perf_counter()
    jobs: list[RefJob] = onet_jobs(args.data)
    shown_q: list[RefQuery] = dotin_queries(args.data, jobs, masked=False)
    masked_q: list[RefQuery] = dotin_queries(args.data, jobs, masked=True)
    embedder = CachedEmbedder(args.cache)
    shown, masked = signal_tables(jobs, [shown_q, masked_q], embedder)
    embedder.save()
    print(f"{len(jobs)} O*NET occupations, {len(shown)} dotin CVs", file=sys.stderr)
    report = cross_validate(shown, masked)
    print(_markdown(report))
    model = fit(shown + masked)
    model = ScoreModel(
        mean={k: round(v, 6) for k, v in model.mean.items()},
        std={k: round(v, 6) for k, v in model.std.items()},
        weights=model.weights,
        scale=model.scale,
        bias=model.bias,
        fitted_on=(
            f"dotin CVs (CC0, {len(shown)} with a title O*NET knows, titles shown and masked) x "
            f"{len(jobs)} O*NET 29.2 occupations as jobs (CC BY 4.0); scripts/fit_match_model.py, "
            f"seed {SEED}"
        ),
    )
    print(f"\nfitted on all: weights {dict(model.weights)}, scale {model.scale}, bias {model.bias}")
    print(f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    if args.write:
        payload: dict[str, Any] = model.to_json()
        payload["cross_validation"] = report
        MODEL_FILE.parent.mkdir(parents=True, exist_ok=True)
        MODEL_FILE.write_text(
            json.dumps(payload, indent=2, sort_keys=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {MODEL_FILE}", file=sys.stderr)
    assert math.isfinite(model.scale)


if __name__ == "__main__":
    main()
