from __future__ import annotations

import itertools
import re

import pytest

from indexing.chunking import Chunk, chunk_text, count_tokens, get_tokenizer, model_max_tokens
from indexing.settings import ChunkingSettings
from tests.conftest import shared_data

pytestmark = pytest.mark.unit

SETTINGS = ChunkingSettings(target_tokens=200, overlap_tokens=40)


def long_cv() -> str:
    """The longest CV of the public resume-ner-dotin set (CC0), tags stripped."""
    folder = shared_data() / "resume-ner-dotin" / "train"
    path = max(folder.glob("*.xml"), key=lambda p: p.stat().st_size)
    return re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8"))


ARABIC_CV = "\n".join(
    [
        "السيرة الذاتية",
        "الاسم: سارة أحمد",
        *[
            f"عملت في شركة رقم {i} مسؤولة عن تحليل البيانات وإعداد التقارير الشهرية للإدارة. "
            f"قمت بتطوير لوحات المعلومات وتحسين جودة البيانات بنسبة {i} بالمئة."
            for i in range(40)
        ],
        "المهارات: بايثون، إس كيو إل، تابلو، إكسل",
    ]
)


def assert_covers_every_token(text: str, chunks: list[Chunk]) -> None:
    encoding = get_tokenizer().encode(text, add_special_tokens=False)
    for start, end in encoding.offsets:
        assert any(c.start_char <= start and end <= c.end_char for c in chunks), text[start:end]


def assert_fits_the_encoder(chunks: list[Chunk]) -> None:
    limit = model_max_tokens()
    for c in chunks:
        assert c.n_tokens <= limit
        assert count_tokens(c.text) <= limit


def test_the_encoder_limit_comes_from_the_model() -> None:
    assert model_max_tokens() == 254  # all-MiniLM-L6-v2: 256 less [CLS] and [SEP]


def test_empty_and_short_texts() -> None:
    assert chunk_text("", settings=SETTINGS) == []
    assert chunk_text("  \n ", settings=SETTINGS) == []
    [only] = chunk_text("  Data analyst in Dubai.\n", settings=SETTINGS)
    assert only.text == "Data analyst in Dubai."
    assert only.ordinal == 0


@pytest.mark.parametrize("which", ["english", "arabic"])
def test_a_long_cv_is_cut_without_losing_a_single_token(which: str) -> None:
    text = long_cv() if which == "english" else ARABIC_CV
    total = count_tokens(text)
    assert total > 3 * model_max_tokens()  # a silent truncation would lose most of it
    chunks = chunk_text(text, settings=SETTINGS)
    assert len(chunks) >= total // SETTINGS.target_tokens
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert_covers_every_token(text, chunks)
    assert_fits_the_encoder(chunks)
    for c in chunks:
        assert text[c.start_char : c.end_char] == c.text
    for prev, nxt in itertools.pairwise(chunks):
        # Windows overlap by roughly the setting, and move forward.
        assert prev.start_char < nxt.start_char < prev.end_char
        overlap = count_tokens(text[nxt.start_char : prev.end_char])
        assert 5 <= overlap <= 2 * SETTINGS.overlap_tokens
    for c in chunks[:-1]:
        assert 100 <= c.n_tokens <= 260


def test_windows_end_on_sentence_or_line_boundaries_when_they_can() -> None:
    text = " ".join(
        f"Sentence number {i} talks about ledger reconciliation work." for i in range(200)
    )
    chunks = chunk_text(text, settings=SETTINGS)
    assert len(chunks) > 5
    for c in chunks:
        assert c.text.endswith(".")
        assert c.text.startswith("Sentence number")


def test_a_text_without_spaces_or_sentences_is_still_cut_and_covered() -> None:
    text = "path/to/" * 600 + " tail words here"  # a pasted URL: no boundary anywhere
    assert count_tokens(text) > 2000
    chunks = chunk_text(text, settings=SETTINGS)
    assert len(chunks) > 8
    assert_covers_every_token(text, chunks)
    assert all(c.n_tokens <= model_max_tokens() for c in chunks)


def test_no_overlap_setting_gives_disjoint_windows() -> None:
    text = long_cv()
    chunks = chunk_text(text, settings=ChunkingSettings(target_tokens=120, overlap_tokens=0))
    assert_covers_every_token(text, chunks)
    for prev, nxt in itertools.pairwise(chunks):
        assert nxt.start_char >= prev.end_char
