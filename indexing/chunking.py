"""Cut long texts into overlapping windows the encoder reads whole, counted in its own word pieces.

all-MiniLM-L6-v2 reads at most 256 word pieces (two of them [CLS] and [SEP]) and silently drops the
rest, so a CV embedded in one piece loses everything after its first page. Windows here are about
200 word pieces with about 40 repeated from the previous window, end on a line or sentence
boundary when one is near, and together cover every word piece of the text: nothing is dropped.
Arabic costs about one word piece per letter with this vocabulary, which is why counting matters.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from indexing.settings import ChunkingSettings, get_chunking_settings

if TYPE_CHECKING:
    from tokenizers import Tokenizer

#: Where a new piece of text starts: after a line break, or after a sentence end (Latin or Arabic)
#: followed by a space.
_BOUNDARY = re.compile(r"\n\s*|(?<=[.!?;:؟؛።])\s+|(?<=[•·▪●])\s*")
#: Word pieces the encoder adds around every input ([CLS], [SEP]).
_SPECIAL_TOKENS = 2


@dataclass(frozen=True)
class Chunk:
    """A window of ``text[start_char:end_char]`` holding ``n_tokens`` word pieces."""

    ordinal: int
    text: str
    start_char: int
    end_char: int
    n_tokens: int


def _model_path(model_path: Path | str | None) -> Path:
    if model_path:
        return Path(model_path)
    from indexing.embedder import default_model_path
    from indexing.settings import get_embedding_settings

    configured = get_embedding_settings().model_path
    return Path(configured) if configured else default_model_path()


@lru_cache(maxsize=4)
def _load_tokenizer(path: str) -> Tokenizer:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
    # The file ships with truncation at 128 and padding: both would hide what we must count.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def get_tokenizer(model_path: Path | str | None = None) -> Tokenizer:
    """The embedding model's own tokenizer (cached), without truncation or padding."""
    return _load_tokenizer(str(_model_path(model_path)))


@lru_cache(maxsize=4)
def _max_seq_length(path: str) -> int:
    config = Path(path) / "sentence_bert_config.json"
    try:
        return int(json.loads(config.read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256  # all-MiniLM-L6-v2's, and the common BERT-family limit below 512


def model_max_tokens(model_path: Path | str | None = None) -> int:
    """Word pieces of text the encoder reads in one input (its max_seq_length less [CLS]/[SEP])."""
    return _max_seq_length(str(_model_path(model_path))) - _SPECIAL_TOKENS


def count_tokens(text: str, model_path: Path | str | None = None) -> int:
    """Word pieces ``text`` costs the encoder, special tokens excluded."""
    return len(get_tokenizer(model_path).encode(text, add_special_tokens=False).ids)


def chunk_text(
    text: str,
    *,
    settings: ChunkingSettings | None = None,
    model_path: Path | str | None = None,
    max_tokens: int | None = None,
) -> list[Chunk]:
    """Cut ``text`` into windows of about ``target_tokens`` word pieces, overlapping by about
    ``overlap_tokens``, never longer than the encoder reads; every word piece is in some window."""
    settings = settings or get_chunking_settings()
    limit = max_tokens if max_tokens is not None else model_max_tokens(model_path)
    target = min(settings.target_tokens, limit)
    overlap = min(settings.overlap_tokens, target // 2)
    if not text or not text.strip():
        return []

    encoding = get_tokenizer(model_path).encode(text, add_special_tokens=False)
    offsets = [o for o in encoding.offsets]
    pieces = encoding.tokens
    n = len(offsets)
    if n == 0:
        return []
    starts = [o[0] for o in offsets]
    # A window may start at token i if it begins a word (not a ##continuation piece), and
    # prefers tokens that begin a line or sentence.
    word_start = [not p.startswith("##") for p in pieces]
    boundary_chars = sorted({m.end() for m in _BOUNDARY.finditer(text)})
    boundary_tokens = sorted({bisect.bisect_left(starts, c) for c in boundary_chars} - {0, n})

    def best_cut(lo: int, hi: int, ideal: int) -> int | None:
        """A boundary token in (lo, hi] closest to ideal, else None."""
        i = bisect.bisect_right(boundary_tokens, lo)
        j = bisect.bisect_right(boundary_tokens, hi)
        candidates = boundary_tokens[i:j]
        if not candidates:
            return None
        return min(candidates, key=lambda b: (abs(b - ideal), -b))

    def word_cut(lo: int, at: int) -> int:
        """``at`` moved back to the start of its word, unless the word is absurdly long (a URL,
        a run of symbols): then the cut falls inside it rather than making a tiny window."""
        floor = max(lo + 1, at - target // 4)
        cut = at
        while cut > floor and not word_start[cut]:
            cut -= 1
        return cut if word_start[cut] else at

    spans: list[tuple[int, int]] = []
    begin = 0
    while True:
        if n - begin <= limit:
            spans.append((begin, n))
            break
        end = best_cut(begin + target // 2, begin + limit, begin + target)
        if end is None:
            end = word_cut(begin, begin + target)
        spans.append((begin, end))
        # The next window repeats about `overlap` pieces, starting on a boundary if one is near.
        lo = max(begin + 1, end - overlap - overlap // 2)
        nxt = best_cut(lo - 1, end - 1, end - overlap) if overlap else None
        if nxt is None:
            nxt = word_cut(begin, max(begin + 1, end - overlap)) if overlap else end
        begin = max(nxt, begin + 1)

    chunks: list[Chunk] = []
    for ordinal, (lo, hi) in enumerate(spans):
        start_char = offsets[lo][0]
        end_char = max(o[1] for o in offsets[lo:hi])
        chunks.append(
            Chunk(
                ordinal=ordinal,
                text=text[start_char:end_char],
                start_char=start_char,
                end_char=end_char,
                n_tokens=hi - lo,
            )
        )
    return chunks
