"""CV parsing and skill extraction quality, plus their speed.

Usage::

    .venv/bin/python benchmarks/parse_quality.py [--data ../shared/data] [--limit N] [--json]

Prints the per-field parsing report (resume-ner-dotin, sample-resumes), the skill-extraction
report (Decorte et al. TECH / HOUSE), the taxonomy load time (file read + matcher build, in a
fresh process state), and ``parse_cv`` / ``extract_skills`` latency p50 / p95 over the dotin
texts. ``--limit N`` uses only the first N dotin CVs (a quick check); the figures quoted in
README come from a run without it. Single-threaded, CPU only; runs in well under a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from ingestion import skills as skills_mod  # noqa: E402
from ingestion.cv_parser import parse_cv  # noqa: E402
from ingestion.evaluate import evaluate_parsing, evaluate_skills, load_dotin  # noqa: E402
from ingestion.taxonomy import load_taxonomy  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("TABASHIR_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return p50 * 1000, p95 * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N dotin CVs only")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")
    args = parser.parse_args(argv)
    today = date.today()

    t0 = time.perf_counter()
    taxonomy = load_taxonomy()
    t1 = time.perf_counter()
    matcher = skills_mod.SkillMatcher(taxonomy)
    t2 = time.perf_counter()
    skills_mod.get_matcher()  # the shared one the parser uses

    docs = load_dotin(args.data)
    if args.limit:
        docs = docs[: args.limit]
    parse_times, extract_times = [], []
    for doc in docs:
        a = time.perf_counter()
        parse_cv(doc.text, today=today)
        b = time.perf_counter()
        matcher.find(doc.text)
        c = time.perf_counter()
        parse_times.append(b - a)
        extract_times.append(c - b)
    chars = statistics.median(len(d.text) for d in docs)

    parsing = evaluate_parsing(args.data, today=today, limit=args.limit)
    skills = evaluate_skills(args.data)
    timing = {
        "taxonomy_file_load_s": round(t1 - t0, 3),
        "matcher_build_s": round(t2 - t1, 3),
        "skills": len(taxonomy),
        "dictionary_entries": len(matcher),
        "documents": len(docs),
        "median_chars": chars,
        "parse_cv_ms_p50": round(_percentiles(parse_times)[0], 2),
        "parse_cv_ms_p95": round(_percentiles(parse_times)[1], 2),
        "extract_skills_ms_p50": round(_percentiles(extract_times)[0], 2),
        "extract_skills_ms_p95": round(_percentiles(extract_times)[1], 2),
    }
    if args.json:
        print(
            json.dumps(
                {"parsing": parsing.to_dict(), "skills": skills.to_dict(), "timing": timing},
                indent=2,
            )
        )
        return 0
    print("## CV parsing\n")
    print(parsing.to_markdown())
    print("## Skill extraction\n")
    print(skills.to_markdown())
    print("\n## Speed (one CPU thread)\n")
    print(
        f"- taxonomy: file read {timing['taxonomy_file_load_s']} s + matcher build "
        f"{timing['matcher_build_s']} s ({timing['skills']} skills, "
        f"{timing['dictionary_entries']} dictionary entries)"
    )
    print(
        f"- parse_cv over {timing['documents']} dotin CVs (median {chars:.0f} chars): "
        f"p50 {timing['parse_cv_ms_p50']} ms, p95 {timing['parse_cv_ms_p95']} ms"
    )
    print(
        f"- extract_skills on the same texts: p50 {timing['extract_skills_ms_p50']} ms, "
        f"p95 {timing['extract_skills_ms_p95']} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
