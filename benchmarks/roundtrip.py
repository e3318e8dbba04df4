"""Round trip of the demo CVs: parse → render (DOCX, PDF) → extract → parse → compare fields.

Usage::

    .venv/bin/python benchmarks/roundtrip.py [--limit N] [--layout own|ar] [--json] [--worst K]

For every demo candidate (``api/demo/dataset.py``; 36 by default, English and Arabic), its CV
text is parsed into the structured CV, rendered to DOCX and to PDF by ``ingestion.render``,
read back by our own extractor (``extract_in_process``, the code the upload sandbox runs) and
parsed again. Field agreement = fields with the same normalised value in both parses, over all
fields filled in either (``ingestion.render.roundtrip.field_agreement``). Printed per CV
language and format, with render and extract times. ``--limit N`` takes the first N
candidates (a quick check); ``--layout ar`` renders every CV with Arabic headings and
right-to-left layout. Single-threaded, CPU only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from api.demo.dataset import build_dataset  # noqa: E402
from ingestion.cv_parser import parse_cv  # noqa: E402
from ingestion.cv_schema import CvLanguage  # noqa: E402
from ingestion.extract import extract_in_process  # noqa: E402
from ingestion.render import render_docx, render_pdf  # noqa: E402
from ingestion.render.roundtrip import field_agreement  # noqa: E402

TODAY = date(2026, 11, 26)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="first N demo candidates only")
    parser.add_argument("--layout", choices=("own", "ar"), default="own")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--worst", type=int, default=5, help="most frequent differences shown")
    args = parser.parse_args()

    candidates = build_dataset(today=TODAY).candidates[: args.limit]
    totals: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    timings: dict[str, list[float]] = defaultdict(list)
    differences: Counter[tuple[str, str, str]] = Counter()
    for cand in candidates:
        source = parse_cv(cand.cv_text, today=TODAY)
        layout: CvLanguage | None = "ar" if args.layout == "ar" else None
        for fmt, render in (("docx", render_docx), ("pdf", render_pdf)):
            started = time.perf_counter()
            data = render(source, layout)
            rendered = time.perf_counter()
            text = extract_in_process(data).text
            timings[f"render_{fmt}"].append(rendered - started)
            timings[f"extract_{fmt}"].append(time.perf_counter() - rendered)
            agreement = field_agreement(source, parse_cv(text, today=TODAY))
            row = totals[(cand.cv_language, fmt)]
            row[0] += agreement.agreed
            row[1] += agreement.total
            row[2] += 1
            for path, _, _ in agreement.differences:
                field = ".".join(p for p in path.split(".") if not p.isdigit())
                differences[(cand.cv_language, fmt, field.split(".")[0])] += 1

    results = {
        f"{lang}/{fmt}": {
            "cvs": n,
            "fields": total,
            "agreed": agreed,
            "agreement": round(agreed / total, 4) if total else 1.0,
        }
        for (lang, fmt), (agreed, total, n) in sorted(totals.items())
    }
    all_agreed = sum(v[0] for v in totals.values())
    all_total = sum(v[1] for v in totals.values())
    ms = {k: round(statistics.median(v) * 1000, 1) for k, v in sorted(timings.items())}
    if args.json:
        print(json.dumps({"layout": args.layout, "results": results, "median_ms": ms}, indent=2))
        return 0
    print(f"round trip of {len(candidates)} demo CVs (layout: {args.layout})")
    print(f"{'language/format':<16}{'CVs':>5}{'fields':>8}{'agreed':>8}{'agreement':>11}")
    for key, r in results.items():
        print(f"{key:<16}{r['cvs']:>5}{r['fields']:>8}{r['agreed']:>8}{r['agreement']:>11.4f}")
    print(f"{'all':<16}{'':>5}{all_total:>8}{all_agreed:>8}{all_agreed / max(all_total, 1):>11.4f}")
    print("median ms per CV: " + ", ".join(f"{k} {v}" for k, v in ms.items()))
    if differences:
        print("most frequent differences (language, format, field):")
        for (lang, fmt, field), n in differences.most_common(args.worst):
            print(f"  {n:>3}  {lang} {fmt} {field}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
