"""Render the English and the Arabic CV of the demo data set, for a visual check.

Usage::

    .venv/bin/python scripts/render_demo_cvs.py OUTDIR [--dpi 110]

Writes to OUTDIR, for the first English and the first Arabic demo candidate
(``api/demo/dataset.py``, fixed seed): ``<lang>.pdf``, ``<lang>.docx`` and the PDF's pages as
``<lang>-<page>.png``; and ``en-arabic-layout.pdf`` (the English CV with Arabic headings and
right-to-left layout, as ``output_language=arabic`` gives without a language model). PNG pages
come from ``pdftoppm`` when it is installed (a rasterisation of the PDF file itself);
otherwise from ``ingestion.render.preview``, which draws the same placed glyphs as the PDF
with the same fonts. Prints every path written. Deterministic: the same files every run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from api.demo.dataset import build_dataset  # noqa: E402
from ingestion.cv_parser import parse_cv  # noqa: E402
from ingestion.cv_schema import CvLanguage, StructuredCV  # noqa: E402
from ingestion.render import layout_cv, render_docx, render_pdf  # noqa: E402
from ingestion.render.preview import preview_pngs  # noqa: E402

TODAY = date(2026, 11, 26)


def _pngs(
    pdf: Path, cv: StructuredCV, layout: CvLanguage | None, stem: Path, dpi: int
) -> list[Path]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        # Our own paths and a resolved binary, no shell.
        subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(stem)], check=True)  # noqa: S603
        return sorted(stem.parent.glob(f"{stem.name}-*.png"))
    out = []
    for n, png in enumerate(preview_pngs(layout_cv(cv, layout), dpi=dpi), start=1):
        path = stem.parent / f"{stem.name}-{n}.png"
        path.write_bytes(png)
        out.append(path)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--dpi", type=int, default=110)
    args = parser.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    candidates = build_dataset(today=TODAY).candidates
    written: list[Path] = []
    jobs: list[tuple[str, StructuredCV, CvLanguage | None]] = []
    for lang in ("en", "ar"):
        cand = next(c for c in candidates if c.cv_language == lang)
        jobs.append((lang, parse_cv(cand.cv_text, today=TODAY), None))
    jobs.append(("en-arabic-layout", jobs[0][1], "ar"))
    for name, cv, layout in jobs:
        pdf = args.outdir / f"{name}.pdf"
        pdf.write_bytes(render_pdf(cv, layout))
        written.append(pdf)
        if layout is None:
            docx = args.outdir / f"{name}.docx"
            docx.write_bytes(render_docx(cv, layout))
            written.append(docx)
        written.extend(_pngs(pdf, cv, layout, args.outdir / name, args.dpi))
    source = "pdftoppm" if shutil.which("pdftoppm") else "ingestion.render.preview (no pdftoppm)"
    print(f"PNG pages drawn by {source}")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
