"""Embedding throughput of the app's own code path, per device, precision and batch size, in one
run; and how far each configuration's vectors are from float32 on the CPU.

What is timed is what the nightly reindex and an upload run: ``embed_job_documents`` (job text,
chunking into the encoder's windows, encoding, the job vector as the normalised mean of its
chunks) and ``embed_resumes`` (the same for CV texts). "encoder only" embeds the same job chunks
without the chunking, to show what the rest of the path costs. Texts are the scale corpus's
template jobs and CVs (``benchmarks/_corpus.py``), English.

A configuration is ``DEVICE:PRECISION:BATCH``. Every configuration is warmed up (model load,
CUDA context, kernel selection) before it is timed. The CPU runs a prefix of the texts
(``--cpu-jobs`` / ``--cpu-cvs``); agreement is measured on that prefix's chunks against the first
``cpu:float32`` configuration, and optionally against vectors computed elsewhere
(``--reference``, written by ``--write-reference`` on another machine).

    .venv/bin/python benchmarks/embedding_throughput.py --jobs 400 --cvs 100     # this machine
    python3 benchmarks/embedding_throughput.py --jobs 20000 --cvs 5000 \\
        --configs cpu:float32:64 cuda:float32:64 cuda:float32:256 cuda:float16:256 cuda:float16:512
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._corpus import COLUMNS, Corpus, machine
from indexing.chunking import chunk_text
from indexing.documents import job_text
from indexing.embedder import SentenceTransformerEmbedder
from indexing.resumes import embed_resumes
from indexing.settings import EmbeddingSettings
from indexing.vector import embed_job_documents
from models import Job

_JOB_FIELDS = ("title", "company", "description", "requirements", "skills")


def corpus_texts(
    n_jobs: int, n_cvs: int, seed: int
) -> tuple[list[Job], list[tuple[uuid.UUID, str]]]:
    corpus = Corpus(seed)
    jobs: list[Job] = []
    for batch in corpus.batches(n_jobs, 5000):
        for row in batch.rows:
            values = dict(zip(COLUMNS, row, strict=True))
            jobs.append(Job(id=values["id"], **{f: values[f] for f in _JOB_FIELDS}))
    _, occupations = corpus.query_vectors(n_cvs, seed + 1)
    cvs = [(uuid.uuid4(), corpus.cv_text(int(o), seed=i)) for i, o in enumerate(occupations)]
    return jobs, cvs


def cosines(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Row-wise cosine of two sets of unit vectors: the worst and the mean."""
    cos = np.sum(a.astype(np.float64) * b.astype(np.float64), axis=1)
    return {"min": round(float(cos.min()), 6), "mean": round(float(cos.mean()), 6)}


def run_config(
    spec: str, jobs: list[Job], cvs: list[tuple[uuid.UUID, str]], check: list[str]
) -> tuple[dict[str, Any], np.ndarray]:
    device, precision, batch = spec.split(":")
    settings = EmbeddingSettings(device=device, precision=precision, batch_size=int(batch))  # type: ignore[arg-type]
    embedder = SentenceTransformerEmbedder(settings)
    t0 = time.perf_counter()
    embedder.embed(check[: 4 * int(batch)])  # load, CUDA context, kernel choice: not timed
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    docs = embed_job_documents(jobs, embedder)
    jobs_s = time.perf_counter() - t0
    n_chunks = sum(len(d.chunks) for d in docs)

    chunks = [c.text for d in docs for c in d.chunks]
    t0 = time.perf_counter()
    embedder.embed(chunks)
    encoder_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    embed_resumes(cvs, embedder)
    cvs_s = time.perf_counter() - t0

    vectors = embedder.embed(check)
    out = {
        "config": spec,
        "jobs": len(jobs),
        "job_chunks": n_chunks,
        "warm_up_s": round(load_s, 2),
        "jobs_per_s": round(len(jobs) / jobs_s, 1),
        "encoder_chunks_per_s": round(n_chunks / encoder_s, 1),
        "path_chunks_per_s": round(n_chunks / jobs_s, 1),
        "cvs": len(cvs),
        "cvs_per_s": round(len(cvs) / cvs_s, 1),
    }
    if device == "cuda":
        import torch

        out["device"] = torch.cuda.get_device_name(0)
        out["peak_gpu_mib"] = round(torch.cuda.max_memory_allocated() / 2**20)
        torch.cuda.reset_peak_memory_stats()
    print(json.dumps(out), file=sys.stderr, flush=True)
    return out, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=400)
    parser.add_argument("--cvs", type=int, default=100)
    parser.add_argument("--cpu-jobs", type=int, default=1000, help="prefix the CPU runs")
    parser.add_argument("--cpu-cvs", type=int, default=200)
    parser.add_argument("--configs", nargs="+", default=["cpu:float32:64"])
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--check", type=int, default=512, help="chunks compared across configs")
    parser.add_argument("--reference", type=Path, help=".npy of the check chunks' vectors")
    parser.add_argument("--write-reference", type=Path)
    parser.add_argument("--out", type=Path, help="also write the result as JSON here")
    args = parser.parse_args()

    print(machine(), file=sys.stderr)
    jobs, cvs = corpus_texts(args.jobs, args.cvs, args.seed)
    # The chunks every configuration embeds again and compares: the CPU prefix's first ones.
    prefix = jobs[: args.cpu_jobs]
    texts = [job_text(*(getattr(job, f) for f in _JOB_FIELDS)) for job in prefix]
    check = [c.text for text in texts for c in chunk_text(text)][: args.check]
    result: dict[str, Any] = {"machine": machine(), "configs": []}
    baseline: np.ndarray | None = None
    for spec in args.configs:
        on_cpu = spec.startswith("cpu")
        row, vectors = run_config(
            spec,
            jobs[: args.cpu_jobs] if on_cpu else jobs,
            cvs[: args.cpu_cvs] if on_cpu else cvs,
            check,
        )
        if baseline is None and spec.startswith("cpu:float32"):
            baseline = vectors
        elif baseline is not None:
            row["cosine_vs_cpu_float32"] = cosines(vectors, baseline)
        if args.reference is not None:
            row["cosine_vs_reference"] = cosines(vectors, np.load(args.reference))
        if args.write_reference is not None and spec.startswith("cpu:float32"):
            np.save(args.write_reference, vectors)
        result["configs"].append(row)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out is not None:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
