"""Uploaded file → text, safely: size-limited reading, content sniffing, archive checks, and
parsing in resource-capped worker processes.

``extract(data)`` is the entry point for uploads; ``extract_in_process(data)`` does the same
work in the calling process (worker, tests, trusted files).
"""

from ingestion.extract.arabic import (
    detect_language,
    fix_visual_order,
    fix_visual_text,
    normalise_arabic_for_search,
)
from ingestion.extract.core import Extraction, extract_in_process
from ingestion.extract.reading import read_limited, read_limited_async
from ingestion.extract.sandbox import (
    ExtractionPool,
    extract,
    extract_async,
    get_extraction_pool,
    shutdown_extraction_pool,
)
from ingestion.extract.sniff import Kind, sniff

__all__ = [
    "Extraction",
    "ExtractionPool",
    "Kind",
    "detect_language",
    "extract",
    "extract_async",
    "extract_in_process",
    "fix_visual_order",
    "fix_visual_text",
    "get_extraction_pool",
    "normalise_arabic_for_search",
    "read_limited",
    "read_limited_async",
    "shutdown_extraction_pool",
    "sniff",
]
