"""CV parsing speed with the span model: model load time, RSS, parse_cv p50 / p95 per CV.

Usage::

    .venv/bin/python benchmarks/parse_model.py [--data ../shared/data] [--limit N] [--threads 1]

In one fresh process: the taxonomy and matcher are warmed first (the rule parser needs them
either way), then the span model is loaded (time and RSS growth measured), then every dotin
CV is parsed by the rule parser alone and by the model parser (the same texts, interleaved so
machine noise hits both alike). Latency here is speed only: the shipped model was trained on
these texts, so this script reports no quality figure (``tabashir evaluate parsing --cv`` does).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

DEFAULT_DATA = Path(os.environ.get("TABASHIR_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(samples: list[float]) -> tuple[float, float, float]:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return statistics.median(s) * 1000, p95 * 1000, s[-1] * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1, help="torch/BLAS threads")
    args = parser.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)

    from ingestion import cv_ner
    from ingestion.cv_parser import parse_cv_rules
    from ingestion.cv_structure import parse_cv_model
    from ingestion.evaluate import load_dotin
    from ingestion.skills import get_matcher

    today = date.today()
    docs = load_dotin(args.data)[: args.limit] if args.limit else load_dotin(args.data)
    get_matcher()
    parse_cv_rules(docs[0].text, today=today)  # warm the rule parser's caches
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    nlp = cv_ner.get_model()
    load_s = time.perf_counter() - t0
    rss1 = _rss_mb()
    parse_cv_model(docs[0].text, today=today, nlp=nlp)  # first call allocates buffers
    rules_t, model_t = [], []
    for doc in docs:
        a = time.perf_counter()
        parse_cv_rules(doc.text, today=today)
        b = time.perf_counter()
        parse_cv_model(doc.text, today=today, nlp=nlp)
        c = time.perf_counter()
        rules_t.append(b - a)
        model_t.append(c - b)
    rss2 = _rss_mb()
    size = sum(p.stat().st_size for p in cv_ner.MODEL_DIR.rglob("*") if p.is_file())
    chars = statistics.median(len(d.text) for d in docs)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"threads {args.threads}")  # fmt: skip
    print(f"model: {cv_ner.MODEL_DIR.name} ({size / 1e6:.1f} MB on disk), load {load_s:.2f} s, "
          f"RSS +{rss1 - rss0:.0f} MiB at load, {rss2:.0f} MiB after parsing")  # fmt: skip
    for name, t in (("rules", rules_t), ("model", model_t)):
        p50, p95, mx = _pct(t)
        print(f"parse_cv [{name}] over {len(docs)} dotin CVs (median {chars:.0f} chars): "
              f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {mx:.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
