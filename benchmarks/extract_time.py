"""Time CV text extraction: ``extract()`` (sandboxed worker pool) against ``extract_in_process()``.

Generates N two-page English PDF CVs, N English DOCX CVs and N/4 Arabic PDF CVs (seeded, so
every run sees the same documents), warms the pool, then extracts each document both ways,
interleaved so both see the same machine load, and prints p50 / p95 / mean per kind and the
sandbox's overhead (sandbox minus in-process, per document).

    .venv/bin/python benchmarks/extract_time.py 200
    .venv/bin/python benchmarks/extract_time.py 10 --workers 1   # a quick check
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import time
from collections.abc import Callable, Sequence
from functools import partial

import arabic_reshaper  # type: ignore[import-untyped]
from bidi import get_display  # type: ignore[import-untyped]
from docx import Document
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]
from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

from ingestion.extract import extract, extract_in_process, get_extraction_pool
from ingestion.settings import IngestionSettings

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FIRST = ["Layla", "Omar", "Aisha", "Rahul", "Maria", "Yousef", "Fatima", "John", "Priya", "Khalid"]
LAST = ["Haddad", "Al Mansoori", "Khan", "Fernandes", "Nair", "Smith", "Al Marzouqi", "Rahman"]
TITLES = ["Data Analyst", "Software Engineer", "HR Manager", "Accountant", "Sales Executive"]
COMPANIES = ["Falcon Analytics LLC", "Gulf Retail Group", "Emirates Logistics", "Desert Tech FZ"]
SKILLS = ["SQL", "Python", "Excel", "Power BI", "SAP", "Salesforce", "Java", "IFRS", "Tableau"]
CITIES = ["Dubai", "Abu Dhabi", "Sharjah", "Doha", "Riyadh", "Muscat", "Manama"]
BULLETS = [
    "Delivered monthly reporting to the leadership team two days ahead of schedule.",
    "Reduced processing costs by 18% by automating reconciliation steps.",
    "Trained and mentored five junior colleagues across two regional offices.",
    "Coordinated with vendors in three GCC countries on a new procurement process.",
    "Built dashboards used daily by more than 200 store managers.",
]
AR_LINES = [
    "مهندس برمجيات {email} +971 50 {n} 4567",
    "الخبرة العملية",
    "شركة الصقر للتقنية، {city}: تطوير الأنظمة باستخدام Python و SQL منذ 2015",
    "المهارات: إدارة المشاريع، تحليل البيانات، الحوسبة السحابية",
    "التعليم: بكالوريوس علوم الحاسب، جامعة الإمارات العربية المتحدة",
    "اللغات: العربية، الإنجليزية",
]


def cv_lines(rng: random.Random) -> list[list[str]]:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    email = name.lower().replace(" ", ".") + "@example.com"
    page1 = [
        name,
        rng.choice(TITLES),
        f"{rng.choice(CITIES)} | {email} | +971 50 {rng.randint(100, 999)} 4321",
    ]
    page1 += ["Summary", "Professional with experience across the GCC in fast-growing companies."]
    page1.append("Experience")
    for _ in range(4):
        page1.append(
            f"{rng.choice(COMPANIES)}, {rng.choice(CITIES)} - {rng.choice(TITLES)}, {rng.randint(2008, 2020)} - present"
        )
        page1 += rng.sample(BULLETS, 3)
    page2 = ["Education", "BSc Business Administration, University of Sharjah", "Skills"]
    page2.append(", ".join(rng.sample(SKILLS, 6)))
    page2 += ["Languages", "English (fluent), Arabic (native)", "Projects"]
    page2 += rng.sample(BULLETS, 4)
    return [page1, page2]


def english_pdf(rng: random.Random) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for page in cv_lines(rng):
        pdf.setFont("Helvetica", 10)
        y = 800.0
        for line in page:
            pdf.drawString(50, y, line)
            y -= 16
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def english_docx(rng: random.Random) -> bytes:
    pages = cv_lines(rng)
    document = Document()
    document.sections[0].header.paragraphs[0].text = pages[0][0]
    for line in pages[0][1:]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate((("Skills", pages[1][3]), ("Languages", pages[1][5]))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for line in pages[1][6:]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def arabic_pdf(rng: random.Random) -> bytes:
    if "DejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVuSans", DEJAVU))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    for _ in range(2):
        pdf.setFont("DejaVuSans", 11)
        y = 800.0
        for template in AR_LINES * 4:
            line = template.format(
                email=f"user{rng.randint(1, 999)}@example.com",
                n=rng.randint(100, 999),
                city=rng.choice(["دبي", "أبوظبي", "الشارقة"]),
            )
            pdf.drawRightString(545, y, get_display(arabic_reshaper.reshape(line)))
            y -= 18
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("n", nargs="?", type=int, default=200, help="documents per English kind")
    parser.add_argument("--workers", type=int, default=2, help="pool size")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    corpus: dict[str, list[bytes]] = {
        "pdf (en, 2 pages)": [english_pdf(rng) for _ in range(args.n)],
        "docx (en)": [english_docx(rng) for _ in range(args.n)],
        "pdf (ar, 2 pages)": [arabic_pdf(rng) for _ in range(max(1, args.n // 4))],
    }
    settings = IngestionSettings(workers=args.workers)
    pool = get_extraction_pool(settings)
    started = time.perf_counter()
    pool.warm_up()
    print(f"pool of {pool.size} workers warm in {(time.perf_counter() - started) * 1000:.0f} ms")
    for docs in corpus.values():  # first calls pay imports in both paths; not measured
        extract(docs[0], settings)
        extract_in_process(docs[0], settings)

    header = f"{'kind':<20}{'n':>5}  {'sandbox p50/p95/mean ms':>24}  {'in-process p50/p95/mean':>24}  {'overhead p50/p95 ms':>20}"
    print(header)
    print("-" * len(header))
    for kind, docs in corpus.items():
        sandbox: list[float] = []
        direct: list[float] = []
        for data in docs:
            sandbox.append(timed(partial(extract, data, settings)))
            direct.append(timed(partial(extract_in_process, data, settings)))
        overhead = [s - d for s, d in zip(sandbox, direct, strict=True)]

        def stats(values: Sequence[float]) -> str:
            return f"{percentile(values, 0.5):6.1f} /{percentile(values, 0.95):6.1f} /{statistics.fmean(values):6.1f}"

        print(
            f"{kind:<20}{len(docs):>5}  {stats(sandbox):>24}  {stats(direct):>24}  "
            f"{percentile(overhead, 0.5):8.1f} /{percentile(overhead, 0.95):7.1f}"
        )


if __name__ == "__main__":
    main()
