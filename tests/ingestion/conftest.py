"""Generated documents shared by the extraction tests (built once per session)."""

from __future__ import annotations

import pytest

from tests.ingestion.fixtures import documents


@pytest.fixture(scope="session")
def english_pdf() -> bytes:
    return documents.english_cv_pdf()


@pytest.fixture(scope="session")
def arabic_pdf() -> bytes:
    return documents.arabic_cv_pdf()


@pytest.fixture(scope="session")
def cv_docx() -> bytes:
    return documents.cv_docx()


@pytest.fixture(scope="session")
def heavy_pdf() -> bytes:
    """Tens of CPU seconds for the parser in 300 KB (2000 pages sharing one long content
    stream): for timeouts and CPU limits, which stop it long before the end."""
    return documents.heavy_pdf(pages=2000)
