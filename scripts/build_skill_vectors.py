"""Embed the taxonomy's ESCO skill labels with the product's encoder, for semantic linking.

Usage::

    .venv/bin/python scripts/build_skill_vectors.py [--out ingestion/data/skill_vectors.npz]

Writes one int8 row per ESCO skill (its preferred label embedded by all-MiniLM-L6-v2, the
encoder :mod:`indexing.embedder` loads; row-wise scale kept as float32) and the skill ids, so
:mod:`ingestion.skill_linking` never embeds 13.9k labels at run time. Deterministic for a given
taxonomy and model (CPU, float32 before quantisation). Takes a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from indexing.embedder import SentenceTransformerEmbedder  # noqa: E402
from ingestion.skill_linking import VECTORS_PATH, quantise  # noqa: E402
from ingestion.taxonomy import get_taxonomy  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--out", type=Path, default=VECTORS_PATH)
    args = parser.parse_args(argv)
    entries = sorted((e for e in get_taxonomy() if e.id.startswith("esco:")), key=lambda e: e.id)
    embedder = SentenceTransformerEmbedder()
    t0 = time.perf_counter()
    vectors = embedder.embed([e.label for e in entries])
    q, scale = quantise(vectors)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        ids=np.array([e.id for e in entries]),
        vectors=q,
        scale=scale,
        model=np.array(embedder.model_id),
    )
    print(f"{len(entries)} labels in {time.perf_counter() - t0:.0f} s -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
