"""CV ingest throughput against the raw encoder's throughput, measured in the same run.

The documents are the demo CVs (generated, English and Arabic) rendered as plain-text uploads.
"Raw encoder" embeds exactly the chunks the pipeline embeds, nothing else. "Pipeline" does what
an upload does: sandboxed extraction, parsing, chunking and embedding (database writes excluded).
The target is pipeline / encoder >= 0.85.

    .venv/bin/python benchmarks/ingest_throughput.py --n 200
"""

from __future__ import annotations

import argparse
import json
import time
import uuid

from _corpus import machine

from api.demo.dataset import build_dataset
from indexing.chunking import chunk_text
from indexing.embedder import SentenceTransformerEmbedder
from indexing.resumes import embed_resumes
from ingestion.cv_parser import parse_cv
from ingestion.extract import extract, get_extraction_pool


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=200, help="documents")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    cvs = [c.cv_text for c in build_dataset().candidates]
    docs = [cvs[i % len(cvs)].encode() for i in range(args.n)]
    from indexing.settings import EmbeddingSettings

    embedder = SentenceTransformerEmbedder(EmbeddingSettings(device=args.device))
    embedder.embed(["warm up the model"])
    get_extraction_pool().warm_up(wait=True)
    parse_cv(cvs[0])  # builds the skills matcher once, as a running server has

    chunks = [c.text for d in docs for c in chunk_text(d.decode())]
    t0 = time.perf_counter()
    embedder.embed(chunks)
    encoder_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    items = []
    for data in docs:
        text = extract(data).text
        parse_cv(text)
        items.append((uuid.uuid4(), text))
    prepare_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    embed_resumes(items, embedder)
    embed_s = time.perf_counter() - t0
    pipeline_s = prepare_s + embed_s

    out = {
        "machine": machine(),
        "documents": args.n,
        "chunks": len(chunks),
        "encoder_docs_per_s": round(args.n / encoder_s, 1),
        "pipeline_docs_per_s": round(args.n / pipeline_s, 1),
        "ratio": round(encoder_s / pipeline_s, 3),
        "extract_and_parse_ms_per_doc": round(1000 * prepare_s / args.n, 1),
    }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
