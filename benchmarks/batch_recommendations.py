"""Time batch recommendations: every CV against every job, retrieved with faiss, then re-ranked
by the matching features. Target scale: 10,000 CVs x 100,000 jobs on 2 cores.

Vectors are synthetic (``benchmarks/_corpus.py``: clustered by occupation and specialisation,
as embeddings of job families are), not the model's: the model would take hours to embed 110k
texts on a CPU. CVs are drawn from the same occupations as jobs. Profiles for re-ranking come
from the same vocabulary (skills resolved to the taxonomy, salaries, cities, experience).

Stages, each timed:

* ``retrieve``: the ``pool`` nearest jobs for every CV — numpy brute force (the baseline, same
  run), faiss ``flat`` (exact), ``hnsw`` and ``ivf`` (approximate: build time and recall@pool
  against the exact answer are printed);
* ``rerank``: :func:`matching.features.score` for every (CV, pooled job) pair, with the
  engine's profiles and similarities (the per-pair work ``matching.batch`` does);
* with ``--gpu`` and a CUDA device: the exact retrieval as blocked matrix products on the GPU
  (torch), for comparison.

No database is involved: storing is a bulk insert of ``top_n`` rows per CV.

    .venv/bin/python benchmarks/batch_recommendations.py                 # 10k x 100k
    .venv/bin/python benchmarks/batch_recommendations.py --cvs 200 --jobs 2000   # quick check
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._corpus import CITIES, Corpus, machine
from matching.batch import BatchSettings, build_index, top_k
from matching.features import CandidateProfile, JobProfile, Similarities, score
from matching.profiles import resolve_skills, skill_weight
from matching.settings import get_matching_settings


def job_profiles(corpus: Corpus, n: int) -> tuple[np.ndarray, list[Any], np.ndarray]:
    """(vectors, (profile, rarity, title) per job, occupation per job) for ``n`` jobs."""
    vectors, profiles, occupations = [], [], []
    for batch in corpus.batches(n, 5000):
        vectors.append(batch.embedding)
        occupations.append(batch.occupation)
        for row in batch.rows:
            (_, title, _, _, _, skills, city, country, lo, hi, cur, period, *_rest) = row
            labels, rarity = resolve_skills(skills)
            profile = JobProfile(
                skills=labels,
                experience_min=row[14],
                experience_max=row[15],
                city=city,
                country=country,
                remote=row[13] == "remote",
                salary_min=lo,
                salary_max=hi,
                salary_currency=cur,
                salary_period=period,
                posted_at=row[20],
                language=row[16],
            )
            profiles.append((profile, {k: skill_weight(v) for k, v in rarity.items()}, title))
    return np.vstack(vectors), profiles, np.concatenate(occupations)


def cv_profiles(corpus: Corpus, n: int, seed: int) -> tuple[np.ndarray, list[CandidateProfile]]:
    vectors, occupations = corpus.query_vectors(n, seed)
    py = random.Random(seed)
    profiles = []
    for occ in occupations:
        occupation = corpus.vocab.occupations[int(occ)]
        labels = [s["label"] for s in occupation["skills"]]
        skills, _ = resolve_skills(py.sample(labels, min(len(labels), py.randint(4, 10))))
        city = py.choice(list(CITIES))
        profiles.append(
            CandidateProfile(
                skills=skills,
                years_experience=float(py.randint(0, 15)),
                city=city,
                country=CITIES[city][0],
                languages=("en",) if py.random() < 0.8 else ("en", "ar"),
                titles=(occupation["title_en"],),
            )
        )
    return vectors, profiles


def brute_force(cvs: np.ndarray, jobs: np.ndarray, k: int, block: int) -> np.ndarray:
    """Exact top-k by numpy (the baseline): matrix product and argpartition per block."""
    out = np.empty((len(cvs), k), dtype=np.int64)
    for start in range(0, len(cvs), block):
        sims = cvs[start : start + block] @ jobs.T
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(sims, part, axis=1), axis=1)
        out[start : start + block] = np.take_along_axis(part, order, axis=1)
    return out


def recall(found: np.ndarray, exact: np.ndarray) -> float:
    hits = [len(set(a[a >= 0]) & set(b)) / len(b) for a, b in zip(found, exact, strict=True)]
    return float(np.mean(hits))


def gpu_topk(cvs: np.ndarray, jobs: np.ndarray, k: int, block: int) -> dict[str, Any] | None:
    """Exact top-k as blocked matrix products on a CUDA GPU (torch), in float16 and float32.

    Each precision is run once untimed (CUDA context, cuBLAS handles, kernel choice), then timed.
    """
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    device = torch.device("cuda")
    out: dict[str, Any] = {"device": torch.cuda.get_device_name(0)}
    for name, dtype in (("float16", torch.float16), ("float32", torch.float32)):
        runs = []
        for _ in range(2):  # the first run is the warm-up
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            j = torch.from_numpy(jobs).to(device, dtype=dtype)
            c = torch.from_numpy(cvs).to(device, dtype=dtype)
            torch.cuda.synchronize()
            upload = time.perf_counter() - t0
            t0 = time.perf_counter()
            rows = [
                torch.topk(c[start : start + block] @ j.T, k, dim=1).indices
                for start in range(0, len(c), block)
            ]
            found = torch.cat(rows).cpu().numpy()  # includes the copy back to the host
            runs.append((upload, time.perf_counter() - t0))
            del j, c, rows
        out[name] = {
            "upload_s": round(runs[1][0], 3),
            "search_s": round(runs[1][1], 3),
            "rows": found,
        }
    out["peak_gpu_mib"] = round(torch.cuda.max_memory_allocated() / 2**20)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cvs", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--pool", type=int, default=100, help="jobs retrieved per CV")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--block", type=int, default=1024, help="CVs per search block")
    parser.add_argument(
        "--rerank-cvs", type=int, default=0, help="re-rank only this many CVs (0: all)"
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=["hnsw", "ivf", "numpy"])
    parser.add_argument("--gpu", action="store_true", help="also time exact top-k on CUDA")
    parser.add_argument(
        "--retrieve-only",
        action="store_true",
        help="vectors only (no profiles, no re-ranking): for catalogue sizes beyond the default",
    )
    args = parser.parse_args()

    print(f"{machine()}; faiss threads {os.cpu_count()}", file=sys.stderr)
    corpus = Corpus(args.seed)
    t0 = time.perf_counter()
    if args.retrieve_only:
        # Job vectors drawn like CV vectors: same occupations, specialisations and noise.
        jobs = corpus.query_vectors(args.jobs, args.seed + 2)[0]
        cvs = corpus.query_vectors(args.cvs, args.seed + 1)[0]
        jprofiles, cprofiles = [], []
    else:
        jobs, jprofiles, _ = job_profiles(corpus, args.jobs)
        cvs, cprofiles = cv_profiles(corpus, args.cvs, args.seed + 1)
    cvs = np.ascontiguousarray(cvs, dtype=np.float32)
    print(
        f"generated {len(jobs)} jobs and {len(cvs)} CVs in {time.perf_counter() - t0:.1f} s",
        file=sys.stderr,
    )
    k = min(args.pool, len(jobs))
    settings = BatchSettings()
    result: dict[str, Any] = {
        "machine": machine(),
        "cvs": len(cvs),
        "jobs": len(jobs),
        "pool": k,
        "retrieve": {},
    }

    t0 = time.perf_counter()
    index = build_index(jobs, "flat", settings)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    inner, exact = top_k(index, cvs, k, args.block)
    flat_s = time.perf_counter() - t0
    result["retrieve"]["faiss_flat"] = {"build_s": round(build, 2), "search_s": round(flat_s, 2)}
    if "numpy" not in args.skip:
        t0 = time.perf_counter()
        base = brute_force(cvs, jobs, k, args.block)
        result["retrieve"]["numpy_baseline"] = {
            "search_s": round(time.perf_counter() - t0, 2),
            "recall": round(recall(base, exact), 4),
        }
    for kind in ("hnsw", "ivf"):
        if kind in args.skip:
            continue
        t0 = time.perf_counter()
        approx = build_index(jobs, kind, settings)  # type: ignore[arg-type]
        build = time.perf_counter() - t0
        t0 = time.perf_counter()
        _, rows = top_k(approx, cvs, k, args.block)
        result["retrieve"][f"faiss_{kind}"] = {
            # Below 10k jobs IVF has too few points to train its lists: it is exact (flat).
            "index": type(approx).__name__,
            "build_s": round(build, 2),
            "search_s": round(time.perf_counter() - t0, 2),
            f"recall@{k}": round(recall(rows, exact), 4),
        }
        print(f"{kind}: {result['retrieve'][f'faiss_{kind}']}", file=sys.stderr)
    if args.gpu:
        gpu = gpu_topk(cvs, jobs, k, args.block)
        if gpu is None:
            result["retrieve"]["gpu"] = "no CUDA device (or torch without CUDA)"
        else:
            for name in ("float16", "float32"):
                rows = gpu[name].pop("rows")
                # float16 rounds the products: near-ties at the pool's edge may swap.
                gpu[name][f"recall@{k}_vs_flat"] = round(recall(rows, exact), 4)
            result["retrieve"]["gpu_torch_exact"] = gpu
        print(f"gpu: {result['retrieve'].get('gpu_torch_exact')}", file=sys.stderr)
    if args.retrieve_only:
        print(json.dumps(result, indent=2))
        return

    matching = get_matching_settings()
    n_rerank = args.rerank_cvs or len(cvs)
    t0 = time.perf_counter()
    pairs = 0
    for i in range(n_rerank):
        cand = cprofiles[i]
        for row, sim in zip(exact[i], inner[i], strict=True):
            profile, rarity, _title = jprofiles[int(row)]
            # The synthetic corpus has no title vectors: the job's cosine stands in for them.
            sims = Similarities(
                document=float(sim), best_chunk=float(sim), role=float(sim), title=float(sim)
            )
            score(cand, profile, sims, rarity, matching)
            pairs += 1
    rerank_s = time.perf_counter() - t0
    per_pair_us = 1e6 * rerank_s / max(1, pairs)
    result["rerank"] = {
        "pairs": pairs,
        "seconds": round(rerank_s, 2),
        "us_per_pair": round(per_pair_us, 1),
        "all_cvs_s": round(per_pair_us * len(cvs) * k / 1e6, 1),
    }
    total = result["retrieve"]["faiss_flat"]["search_s"] + result["rerank"]["all_cvs_s"]
    result["total_flat_plus_rerank_s"] = round(total, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
