"""What text of a job or CV gets indexed, and the content hash that tells when it changed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def job_text(
    title: str, company: str, description: str, requirements: Iterable[str], skills: Iterable[str]
) -> str:
    """The one text a job is embedded from: title first, so truncation keeps what matters most."""
    parts = [title, company, "Skills: " + ", ".join(skills), description, "\n".join(requirements)]
    return "\n".join(p.strip() for p in parts if p and p.strip())


def content_hash(text: str) -> str:
    """sha256 of the indexed text: equal hashes mean nothing to re-embed."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
