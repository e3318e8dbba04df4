"""Train the CV span model (:mod:`ingestion.cv_ner`) from the CC0 dotin annotations.

Usage::

    .venv/bin/python scripts/train_cv_ner.py [--data ../shared/data] [--out ingestion/models/cv_ner]
    .venv/bin/python scripts/train_cv_ner.py --folds 5 --out var/cv_ner_folds   # k-fold models

Without ``--folds`` it trains on all 310 documents and writes the model that ships in the
package. With ``--folds K`` it writes ``fold0`` ... ``fold{K-1}``: fold k is trained on every
document outside fold k (:func:`ingestion.evaluate.dotin_folds`, fixed seed), for
``tabashir evaluate parsing --cv-models DIR``. Fixed seeds, one thread: the same data and
config give the same model on one machine. ``--limit N --epochs E`` make a tiny model (tests).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ingestion import cv_ner  # noqa: E402
from ingestion.evaluate import DEFAULT_FOLDS, dotin_files, dotin_folds, dotin_spans  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("TABASHIR_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def _save(nlp: object, out: Path, what: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    nlp.meta.update(  # type: ignore[attr-defined]
        name="tabashir_cv_ner",
        version="1.0.0",
        description=f"CV field spans (spaCy tok2vec+ner trained from scratch by "
        f"scripts/train_cv_ner.py): {what}",
        license="training data CC0-1.0 (dotin-inc/resume-dataset-NER-annotations)",
    )
    nlp.to_disk(out)  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=cv_ner.MODEL_DIR)
    parser.add_argument("--folds", type=int, default=0, help="train K fold models instead")
    parser.add_argument("--only-fold", type=int, default=None, help="with --folds: just this one")
    parser.add_argument("--limit", type=int, default=None, help="first N documents only")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)

    defaults = cv_ner.TrainConfig()
    config = cv_ner.TrainConfig(
        seed=args.seed if args.seed is not None else defaults.seed,
        epochs=args.epochs if args.epochs is not None else defaults.epochs,
    )
    files = dotin_files(args.data)[: args.limit] if args.limit else dotin_files(args.data)
    if not files:
        print(f"no dotin files under {args.data}", file=sys.stderr)
        return 2
    docs = [dotin_spans(f) for f in files]

    def log(msg: str) -> None:
        print(msg, flush=True)

    if args.folds:
        folds = dotin_folds(len(docs), args.folds or DEFAULT_FOLDS)
        for k in range(args.folds):
            if args.only_fold is not None and k != args.only_fold:
                continue
            t0 = time.perf_counter()
            train = [d for d, f in zip(docs, folds, strict=True) if f != k]
            log(f"fold {k}: training on {len(train)} documents")
            nlp = cv_ner.train(train, config, log=log)
            _save(nlp, args.out / f"fold{k}", f"{config}, fold {k} held out")
            log(f"fold {k}: {time.perf_counter() - t0:.0f} s")
        return 0
    t0 = time.perf_counter()
    log(f"training on {len(docs)} documents, {config}")
    nlp = cv_ner.train(docs, config, log=log)
    _save(nlp, args.out, f"{config}, all {len(docs)} dotin CVs")
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    log(f"wrote {args.out} ({size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
